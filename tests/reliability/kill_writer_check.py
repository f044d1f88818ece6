"""Opens a results file left by a killed kill_writer with h5py and checks the rows it holds are
the consistent prefix 0..n-1 the writer produced (fields are functions of the id)."""
import sys
import h5py
import numpy as np

with h5py.File(sys.argv[1], "r") as f:
    req = f["requests"][...]
    ids = req["id"]
    n = len(ids)
    assert np.array_equal(ids, np.arange(n)), "ids are not 0..n-1"
    assert np.array_equal(req["user"], ids * 7 % 1000), "user column corrupt"
    assert np.array_equal(req["finish"], ids * 1000 + 500), "finish column corrupt"
    ctrl = f["controller"][...]
    assert np.array_equal(ctrl["time"], np.arange(len(ctrl)) * 1000 * 1000), "controller rows corrupt"
    print(n)
