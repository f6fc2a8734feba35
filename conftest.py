"""pytest settings for the whole repository: tests/ and the notebooks that `make test` runs under nbval."""

from __future__ import annotations

import nbval.plugin

# After a cell's reply, nbval waits for each of the cell's output messages at most 5 s, a figure fixed in its
# source (`IPyNbCell.output_timeout`). On a 2-core machine a cell that has just run llama.cpp on every core
# (notebook 07's quantization ladder) can deliver its last outputs later than that, and nbval then stops the
# kernel and fails the cell although nothing went wrong. The cell's own limit, `--nbval-cell-timeout`, still
# fails a cell that hangs.
NBVAL_OUTPUT_TIMEOUT = 60

_nbval_cell_init = nbval.plugin.IPyNbCell.__init__


def _cell_init_with_patience(self, *args, **kwargs) -> None:
    _nbval_cell_init(self, *args, **kwargs)
    self.output_timeout = NBVAL_OUTPUT_TIMEOUT


nbval.plugin.IPyNbCell.__init__ = _cell_init_with_patience
