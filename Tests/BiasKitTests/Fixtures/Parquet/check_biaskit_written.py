"""Reads written-by-biaskit.parquet (made by ParquetWriter; ParquetWriterTests checks that the
writer still produces these exact bytes) with pyarrow 26 and records what pyarrow sees: the Arrow
schema, every value, and each row group's statistics and codec.

    /work/venvs/parquet/bin/python check_biaskit_written.py
"""
import json
import math
import os

import pyarrow.parquet as pq

HERE = os.path.dirname(os.path.abspath(__file__))
path = os.path.join(HERE, "written-by-biaskit.parquet")
table = pq.read_table(path)
pf = pq.ParquetFile(path)
md = pf.metadata
out = {
    "rows": table.num_rows,
    "schema": [{"name": f.name, "type": str(f.type), "nullable": f.nullable} for f in table.schema],
    "values": {},
    "row_groups": [],
}
for name in table.column_names:
    values = table.column(name).to_pylist()
    out["values"][name] = [None if (isinstance(v, float) and math.isnan(v)) else
                           (repr(v) if isinstance(v, float) else v) for v in values]
for r in range(md.num_row_groups):
    group = md.row_group(r)
    columns = []
    for c in range(group.num_columns):
        chunk = group.column(c)
        st = chunk.statistics
        def text(v):
            return repr(v) if isinstance(v, float) else v
        columns.append({"codec": chunk.compression, "encodings": list(chunk.encodings),
                        "min": text(st.min) if st.has_min_max else None,
                        "max": text(st.max) if st.has_min_max else None,
                        "null_count": st.null_count})
    out["row_groups"].append({"rows": group.num_rows, "columns": columns})
# pandas sees the same values (NaN for the nulls of the double column).
frame = table.to_pandas()
out["pandas_dtypes"] = {k: str(v) for k, v in frame.dtypes.items()}
with open(os.path.join(HERE, "written-by-biaskit.pyarrow.json"), "w") as fh:
    json.dump(out, fh, indent=0, ensure_ascii=False)
    fh.write("\n")
