"""The selection and sorting algorithms PyTorch's CPU kernels use, step for step, so that among equal values
the same indices come out (std::sort, std::nth_element and std::partial_sort of libstdc++, and ATen's
quick_select for kthvalue). They work in place on a list of (key, index) pairs with a strict order `lt`.
"""

_THRESHOLD = 16  # libstdc++'s _S_threshold


def _lg(n):
    return n.bit_length() - 1


# ---- heaps (std::partial_sort) ------------------------------------------------------------------------------
def _push_heap(a, first, hole, top, value, lt):
    parent = (hole - 1) // 2
    while hole > top and lt(a[first + parent], value):
        a[first + hole] = a[first + parent]
        hole = parent
        parent = (hole - 1) // 2
    a[first + hole] = value


def _adjust_heap(a, first, hole, n, value, lt):
    top = hole
    child = hole
    while child < (n - 1) // 2:
        child = 2 * (child + 1)
        if lt(a[first + child], a[first + child - 1]):
            child -= 1
        a[first + hole] = a[first + child]
        hole = child
    if n % 2 == 0 and child == (n - 2) // 2:
        child = 2 * (child + 1)
        a[first + hole] = a[first + child - 1]
        hole = child - 1
    _push_heap(a, first, hole, top, value, lt)


def _make_heap(a, first, last, lt):
    n = last - first
    if n < 2:
        return
    parent = (n - 2) // 2
    while True:
        _adjust_heap(a, first, parent, n, a[first + parent], lt)
        if parent == 0:
            return
        parent -= 1


def _pop_heap(a, first, last, result, lt):
    value = a[result]
    a[result] = a[first]
    _adjust_heap(a, first, 0, last - first, value, lt)


def _sort_heap(a, first, last, lt):
    while last - first > 1:
        last -= 1
        _pop_heap(a, first, last, last, lt)


def _heap_select(a, first, middle, last, lt):
    _make_heap(a, first, middle, lt)
    for i in range(middle, last):
        if lt(a[i], a[first]):
            _pop_heap(a, first, middle, i, lt)


def partial_sort(a, first, middle, last, lt):
    """std::partial_sort."""
    _heap_select(a, first, middle, last, lt)
    _sort_heap(a, first, middle, lt)


# ---- introsort / introselect ------------------------------------------------------------------------------
def _move_median_to_first(a, result, x, y, z, lt):
    if lt(a[x], a[y]):
        if lt(a[y], a[z]):
            m = y
        elif lt(a[x], a[z]):
            m = z
        else:
            m = x
    elif lt(a[x], a[z]):
        m = x
    elif lt(a[y], a[z]):
        m = z
    else:
        m = y
    a[result], a[m] = a[m], a[result]


def _unguarded_partition(a, first, last, pivot, lt):
    while True:
        while lt(a[first], a[pivot]):
            first += 1
        last -= 1
        while lt(a[pivot], a[last]):
            last -= 1
        if not first < last:
            return first
        a[first], a[last] = a[last], a[first]
        first += 1


def _partition_pivot(a, first, last, lt):
    mid = first + (last - first) // 2
    _move_median_to_first(a, first, first + 1, mid, last - 1, lt)
    return _unguarded_partition(a, first + 1, last, first, lt)


def _linear_insert(a, last, lt):
    val = a[last]
    nxt = last - 1
    while lt(val, a[nxt]):
        a[last] = a[nxt]
        last = nxt
        nxt -= 1
    a[last] = val


def _insertion_sort(a, first, last, lt):
    if first == last:
        return
    for i in range(first + 1, last):
        if lt(a[i], a[first]):
            val = a[i]
            a[first + 1:i + 1] = a[first:i]
            a[first] = val
        else:
            _linear_insert(a, i, lt)


def _introsort_loop(a, first, last, depth, lt):
    while last - first > _THRESHOLD:
        if depth == 0:
            partial_sort(a, first, last, last, lt)
            return
        depth -= 1
        cut = _partition_pivot(a, first, last, lt)
        _introsort_loop(a, cut, last, depth, lt)
        last = cut


def sort(a, first, last, lt):
    """std::sort."""
    if first == last:
        return
    _introsort_loop(a, first, last, _lg(last - first) * 2, lt)
    if last - first > _THRESHOLD:
        _insertion_sort(a, first, first + _THRESHOLD, lt)
        for i in range(first + _THRESHOLD, last):
            _linear_insert(a, i, lt)
    else:
        _insertion_sort(a, first, last, lt)


def nth_element(a, first, nth, last, lt):
    """std::nth_element."""
    if first == last or nth == last:
        return
    depth = _lg(last - first) * 2
    while last - first > 3:
        if depth == 0:
            _heap_select(a, first, nth + 1, last, lt)
            a[first], a[nth] = a[nth], a[first]
            return
        depth -= 1
        cut = _partition_pivot(a, first, last, lt)
        if cut <= nth:
            first = cut
        else:
            last = cut
    _insertion_sort(a, first, last, lt)


def quick_select(a, k, gt):
    """ATen's quick_select_template (Sedgewick's partitioning), as kthvalue runs it."""
    lo, hi = 0, len(a) - 1
    while True:
        if hi <= lo:
            return
        if hi == lo + 1:
            if gt(a[lo], a[hi]):
                a[lo], a[hi] = a[hi], a[lo]
            return
        p = (lo + hi) >> 1
        a[p], a[lo + 1] = a[lo + 1], a[p]
        if gt(a[lo + 1], a[hi]):
            a[lo + 1], a[hi] = a[hi], a[lo + 1]
        if gt(a[lo], a[hi]):
            a[lo], a[hi] = a[hi], a[lo]
        if gt(a[lo + 1], a[lo]):
            a[lo + 1], a[lo] = a[lo], a[lo + 1]
        i, j = lo + 1, hi
        piv = a[lo]
        while True:
            i += 1
            while gt(piv, a[i]):
                i += 1
            j -= 1
            while gt(a[j], piv):
                j -= 1
            if j < i:
                break
            a[i], a[j] = a[j], a[i]
        a[lo], a[j] = a[j], a[lo]
        if j <= k:
            lo = i
        if j >= k:
            hi = j - 1
