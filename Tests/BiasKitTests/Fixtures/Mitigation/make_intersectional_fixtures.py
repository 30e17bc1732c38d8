"""Reference values for mitigation with several sensitive columns (intersectional groups).

fairlearn merges a multi-column `sensitive_features` into one column of values joined with ','
(`_merge_columns`); BiasKit's `--sensitive sex_raw,race_raw` does the same. Run from the package
root with the project's venv (fairlearn 0.15.0, scikit-learn 1.9.1):

    /work/venv/bin/python Tests/BiasKitTests/Fixtures/Mitigation/make_intersectional_fixtures.py

Writes intersectional.json beside this file (Adult design fixtures, sex_raw x race_raw: 10 groups).
"""
import os
import json, sys, time, warnings
import numpy as np, pandas as pd
from sklearn.linear_model import LogisticRegression
warnings.filterwarnings("ignore")
HERE = os.path.dirname(os.path.abspath(__file__))
S = os.path.join(HERE, "../../../../../shared/fixtures/")
tr=pd.read_csv(S+"adult_train_design.csv"); te=pd.read_csv(S+"adult_test_design.csv")
cols=[c for c in tr.columns if c not in ("y","sex_raw","race_raw")]
X,y=tr[cols].to_numpy(),tr.y.to_numpy(); Xt,yt=te[cols].to_numpy(),te.y.to_numpy()
s=tr[["sex_raw","race_raw"]]; st=te[["sex_raw","race_raw"]]
from fairlearn.utils._input_validation import _merge_columns
g=_merge_columns(s.to_numpy()); gt=_merge_columns(st.to_numpy())
print(np.unique(g))
def summary(p,y,s):
    groups=np.unique(s); rates=[p[s==k].mean() for k in groups]
    eo=0
    for l in (0,1):
        r=[p[(s==k)&(y==l)].mean() for k in groups]; eo=max(eo,max(r)-min(r))
    return dict(expected_accuracy=float(np.mean(y*p+(1-y)*(1-p))),expected_selection_rate=float(p.mean()),
      dp=float(max(rates)-min(rates)),eo=float(eo),groups=[str(k) for k in groups],rates=[float(r) for r in rates])
from fairlearn.postprocessing import ThresholdOptimizer
lr=LogisticRegression(C=1.0,solver="lbfgs",max_iter=1000).fit(X,y)
t=time.time()
to=ThresholdOptimizer(estimator=lr,constraints="demographic_parity",objective="accuracy_score",prefit=True,predict_method="predict_proba").fit(X,y,sensitive_features=s)
print("to",time.time()-t)
p=to._pmf_predict(Xt,sensitive_features=st)[:,1]
out={"threshold_optimizer_dp":{"test":summary(p,yt,gt),"train":summary(to._pmf_predict(X,sensitive_features=s)[:,1],y,g)}}
from fairlearn.reductions import ExponentiatedGradient, DemographicParity
t=time.time()
eg=ExponentiatedGradient(LogisticRegression(C=1.0,solver="lbfgs",max_iter=1000),DemographicParity()).fit(X,y,sensitive_features=s)
print("eg",time.time()-t)
out["exponentiated_gradient_dp"]={"test":summary(eg._pmf_predict(Xt)[:,1],yt,gt),"train":summary(eg._pmf_predict(X)[:,1],y,g),
  "n_predictors":len(eg.predictors_),"last_iter":int(eg.last_iter_),"n_oracle_calls":int(eg.n_oracle_calls_),"weights":[float(w) for w in eg.weights_]}
json.dump(out,open(os.path.join(HERE, "intersectional.json"), "w"),indent=1)
print(json.dumps(out)[:2000])
