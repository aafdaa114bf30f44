"""The command line (typer). Importing it tunes the cyclic garbage collector for a command's start-up.

Start-up allocates some 70,000 objects that live as long as the process — modules, classes, pydantic
validators, typer's commands — and almost no garbage. At CPython's default threshold (a collection every
700 net allocations) the collector runs about a hundred times over them before the command does any
work. A collection every 100,000 allocations runs at most once or twice; cycles are still collected,
and a command that loads files then freezes what start-up made (``settle_gc``).
"""

import gc

gc.set_threshold(100_000, 20, 20)
