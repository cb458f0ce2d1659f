"""Seed notebooks as data: each CELLS is a list of {"code", "expected"} dicts.

expected is the exact recorded output in the dump's style, "" for an executed
cell that printed nothing, None for a cell never run ("In [None]", no output).
"""

from . import seed_000, seed_001, seed_002

SEEDS = {
    "000": seed_000.CELLS,
    "001": seed_001.CELLS,
    "002": seed_002.CELLS,
}
