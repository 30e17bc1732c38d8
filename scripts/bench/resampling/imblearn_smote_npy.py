"""The Python side of `biaskit resample smote --x X.npy --y y.npy --output-x … --output-y …`:
load the .npy files, SMOTE(k_neighbors=5, random_state=0).fit_resample, save the result.
Timed from outside (/usr/bin/time -v) by run.sh."""
import sys
import time

import numpy as np
from imblearn.over_sampling import SMOTE

x_path, y_path, out_x, out_y = sys.argv[1:5]
t0 = time.perf_counter()
X = np.load(x_path)
y = np.load(y_path)
t1 = time.perf_counter()
Xr, yr = SMOTE(k_neighbors=5, random_state=0).fit_resample(X, y)
t2 = time.perf_counter()
np.save(out_x, Xr)
np.save(out_y, yr)
t3 = time.perf_counter()
print(f"load {t1 - t0:.3f} s, fit_resample {t2 - t1:.3f} s, save {t3 - t2:.3f} s, rows {len(yr)}, "
      f"counts {np.bincount(yr).tolist()}")
