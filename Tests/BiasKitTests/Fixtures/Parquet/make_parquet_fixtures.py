"""Parquet (and Arrow IPC) fixtures for BiasKit's readers, written by pyarrow 26 and fastparquet.

    /work/venvs/parquet/bin/python make_parquet_fixtures.py     (pyarrow 26.0.1, fastparquet 2026.9.0)

One table of every flat type, with nulls, is written under each compression (none, snappy, gzip,
zstd, lz4_raw) × data page version (1.0, 2.0) × encoding scheme:
  dictionary  pyarrow's default (RLE_DICTIONARY; a tiny dictionary page limit makes the many-valued
              string column fall back to PLAIN pages mid-chunk)
  plain       use_dictionary=False
  delta       DELTA_BINARY_PACKED (integers), DELTA_LENGTH_BYTE_ARRAY, DELTA_BYTE_ARRAY (strings,
              fixed binary), RLE (booleans)
  split       BYTE_STREAM_SPLIT (floats, integers, fixed binary)
with three row groups and pages of a few values each. fastparquet writes the same table (its
own PLAIN / dictionary encoder, v1 pages). `expected_types.json` holds, per column, the value of
each row as a number (null for a null) and as text (pandas' CSV spelling; null for a null or an
empty string, which BiasKit reads as missing like an empty CSV field).
"""
import decimal
import json
import os

import fastparquet
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.feather as feather
import pyarrow.parquet as pq

HERE = os.path.dirname(os.path.abspath(__file__))
N = 120
ROW_GROUP = 50
rng = np.random.default_rng(15)


def nulls(values, every, offset=0):
    return [None if (i + offset) % every == 0 else v for i, v in enumerate(values)]


def build_table():
    idx = np.arange(N)
    cols = {}
    cols["b"] = pa.array(nulls([bool(x) for x in rng.integers(0, 2, N)], 7), pa.bool_())
    cols["i8"] = pa.array(nulls(rng.integers(-128, 128, N).tolist(), 9, 1), pa.int8())
    cols["i16"] = pa.array(nulls(rng.integers(-30000, 30000, N).tolist(), 11), pa.int16())
    cols["i32"] = pa.array(nulls(rng.integers(-2**31, 2**31, N).tolist(), 5, 2), pa.int32())
    cols["i64"] = pa.array(nulls([int(x) for x in rng.integers(-2**62, 2**62, N)], 6), pa.int64())
    cols["i64_required"] = pa.array((idx * 1000003 - 50000).tolist(), pa.int64())
    cols["u8"] = pa.array(rng.integers(0, 256, N).tolist(), pa.uint8())
    cols["u16"] = pa.array(rng.integers(0, 65536, N).tolist(), pa.uint16())
    cols["u32"] = pa.array(nulls(rng.integers(0, 2**32, N).tolist(), 8), pa.uint32())
    cols["u64"] = pa.array([int(x) * 3 + 2**63 if i % 2 else int(x) for i, x in
                            enumerate(rng.integers(0, 2**61, N))], pa.uint64())
    f32 = rng.normal(0, 100, N).astype(np.float32).tolist()
    f32[3] = float("inf"); f32[4] = 0.0
    cols["f32"] = pa.array(nulls(f32, 10, 5), pa.float32())
    f64 = rng.normal(0, 1e6, N).tolist()
    f64[1] = -0.0; f64[2] = 1e300; f64[6] = 5e-324; f64[8] = 0.1
    cols["f64"] = pa.array(nulls(f64, 13, 3), pa.float64())
    cols["f64_required"] = pa.array((rng.integers(0, 10**6, N) / 1e6).tolist(), pa.float64())
    cols["f16"] = pa.array(nulls(rng.normal(0, 10, N).astype(np.float16), 12), pa.float16())
    groups = ["Female", "Male", "Non-binary", "Ünïcødé ✓", ""]
    cols["s"] = pa.array(nulls([groups[x] for x in rng.integers(0, 5, N)], 4, 1), pa.string())
    cols["s_many"] = pa.array(nulls([f"value-{int(x):05d}-" + "x" * int(x % 7) for x in
                                     rng.integers(0, 10**5, N)], 15, 2), pa.string())
    cols["s_required"] = pa.array([["a", "b", "c"][i % 3] for i in range(N)], pa.string())
    cols["large_s"] = pa.array(nulls([f"L{int(x)}" for x in rng.integers(0, 4, N)], 9), pa.large_string())
    cols["bin4"] = pa.array(nulls([bytes(f"{int(x):04d}", "ascii") for x in rng.integers(0, 30, N)], 10),
                            pa.binary(4))
    cols["dec9"] = pa.array(nulls([decimal.Decimal(int(x)).scaleb(-2) for x in
                                   rng.integers(-10**8, 10**8, N)], 7, 3), pa.decimal128(9, 2))
    cols["dec18"] = pa.array([decimal.Decimal(int(x)).scaleb(-4) for x in
                              rng.integers(-10**17, 10**17, N)], pa.decimal128(18, 4))
    cols["dec30"] = pa.array(nulls([decimal.Decimal(int(x) * 10**12 + int(y)).scaleb(-5) for x, y in
                                    zip(rng.integers(-10**17, 10**17, N), rng.integers(0, 10**12, N))], 8),
                             pa.decimal128(30, 5))
    cols["date"] = pa.array(nulls((rng.integers(0, 20000, N)).tolist(), 10), pa.date32())
    cols["ts"] = pa.array(nulls((rng.integers(0, 2**50, N)).tolist(), 11), pa.timestamp("us"))
    return pa.table(cols)


def python_text(value, typ):
    """The CSV spelling BiasKit gives a value (pandas' for integers, floats, strings, booleans)."""
    if value is None:
        return None
    if pa.types.is_boolean(typ):
        return "True" if value else "False"
    if pa.types.is_float32(typ):
        return np.format_float_positional(np.float32(value), unique=True, trim="0") \
            if 1e-4 <= abs(value) < 16777216 or value == 0 else \
            (str(np.float32(value)) if np.isfinite(value) else str(float(value)))
    if pa.types.is_float16(typ):
        return None  # not compared (half precision spelled via single precision)
    if pa.types.is_floating(typ):
        return repr(float(value))
    if pa.types.is_decimal(typ):
        return str(value)
    if pa.types.is_date(typ):
        return str((value - __import__("datetime").date(1970, 1, 1)).days)
    if pa.types.is_timestamp(typ):
        return str(int(pd.Timestamp(value).value // 1000))
    if pa.types.is_binary(typ) or pa.types.is_fixed_size_binary(typ):
        return value.decode("utf-8", "replace") or None
    if pa.types.is_string(typ) or pa.types.is_large_string(typ):
        return value or None
    return str(int(value))


def python_number(value, typ):
    if value is None:
        return None
    if pa.types.is_boolean(typ):
        return "1.0" if value else "0.0"
    if pa.types.is_date(typ):
        return repr(float((value - __import__("datetime").date(1970, 1, 1)).days))
    if pa.types.is_timestamp(typ):
        return repr(float(pd.Timestamp(value).value // 1000))
    if pa.types.is_string(typ) or pa.types.is_large_string(typ) or pa.types.is_binary(typ) \
            or pa.types.is_fixed_size_binary(typ):
        return None
    # As repr text: JSON parsers are not all correctly rounded.
    return repr(float(value))


def expected(table):
    out = {"rows": table.num_rows, "columns": {}}
    for name in table.column_names:
        col = table.column(name)
        typ = col.type
        values = col.to_pylist()
        entry = {"type": str(typ), "text": [python_text(v, typ) for v in values]}
        if not (pa.types.is_string(typ) or pa.types.is_large_string(typ) or pa.types.is_binary(typ)
                or pa.types.is_fixed_size_binary(typ)):
            entry["numbers"] = [python_number(v, typ) for v in values]
        out["columns"][name] = entry
    return out


def write_variants(table):
    names = []
    ints = ["i8", "i16", "i32", "i64", "i64_required", "u8", "u16", "u32", "u64", "date", "ts"]
    floats = ["f32", "f64", "f64_required"]
    schemes = {
        "dictionary": dict(use_dictionary=True, dictionary_pagesize_limit=256),
        "plain": dict(use_dictionary=False),
        "delta": dict(use_dictionary=False, column_encoding={
            **{c: "DELTA_BINARY_PACKED" for c in ints}, "s": "DELTA_LENGTH_BYTE_ARRAY",
            "s_many": "DELTA_BYTE_ARRAY", "large_s": "DELTA_BYTE_ARRAY",
            "s_required": "DELTA_LENGTH_BYTE_ARRAY", "bin4": "DELTA_BYTE_ARRAY", "b": "RLE"}),
        "split": dict(use_dictionary=False, column_encoding={
            **{c: "BYTE_STREAM_SPLIT" for c in floats + ["i32", "i64", "i64_required", "bin4", "f16"]}}),
    }
    for scheme, options in schemes.items():
        for compression in ["none", "snappy", "gzip", "zstd", "lz4"]:
            for version in ["1.0", "2.0"]:
                name = f"types-{scheme}-{compression}-v{version[0]}.parquet"
                pq.write_table(table, os.path.join(HERE, name), compression=compression,
                               data_page_version=version, row_group_size=ROW_GROUP,
                               data_page_size=128, write_batch_size=16, **options)
                md = pq.ParquetFile(os.path.join(HERE, name)).metadata
                assert md.num_row_groups == 3, name
                back = pq.read_table(os.path.join(HERE, name))
                assert back.equals(table), name
                names.append(name)
    return names


def main():
    table = build_table()
    exp = expected(table)
    files = write_variants(table)
    # fastparquet: its own writer (v1 pages; PLAIN, dictionary for categoricals), two codecs.
    df = table.drop_columns(["f16", "bin4", "dec9", "dec18", "dec30", "large_s", "u64", "date"]).to_pandas()
    for codec in ["SNAPPY", "GZIP"]:
        name = f"types-fastparquet-{codec.lower()}.parquet"
        frame = df.copy()
        frame["s"] = frame["s"].astype("category")
        fastparquet.write(os.path.join(HERE, name), frame, compression=codec, row_group_offsets=ROW_GROUP,
                          stats=True)
        back = pq.read_table(os.path.join(HERE, name)).to_pandas()
        files.append(name)
    exp["files"] = files
    exp["fastparquet_columns"] = list(df.columns)
    # Nested columns (refused by name) next to a flat one.
    nested = pa.table({"id": pa.array([1, 2, 3], pa.int64()),
                       "tags": pa.array([[1, 2], [], None], pa.list_(pa.int32())),
                       "point": pa.array([{"x": 1.0, "y": 2.0}] * 3,
                                         pa.struct([("x", pa.float64()), ("y", pa.float64())]))})
    pq.write_table(nested, os.path.join(HERE, "nested.parquet"))
    # Arrow IPC / Feather v2: uncompressed, LZ4_FRAME and ZSTD buffers, several record batches.
    arrow_table = table.drop_columns(["f16"])
    exp["arrow_files"] = []
    for compression in ["uncompressed", "lz4", "zstd"]:
        name = f"types-{compression}.arrow"
        feather.write_feather(arrow_table, os.path.join(HERE, name), compression=compression,
                              chunksize=ROW_GROUP)
        exp["arrow_files"].append(name)
    dict_table = pa.table({"s": pa.array(table.column("s").to_pylist()).dictionary_encode(),
                           "i32": table.column("i32")})
    feather.write_feather(dict_table, os.path.join(HERE, "dictionary.feather"), compression="uncompressed",
                          chunksize=ROW_GROUP)
    exp["arrow_files"].append("dictionary.feather")
    # Labels: the CSV reader's rules across two row groups (a third class first seen in the second).
    labels = pa.table({
        "int01": pa.array([0, 1, 1, 0, 1, 0, 0, 1], pa.int64()),
        "pm1": pa.array([-1, 1, 1, -1, 1, -1, -1, 1], pa.int8()),
        "flag": pa.array([False, True, True, False, True, False, False, True]),
        "yesno": pa.array(["no", "yes", "yes", "no", "yes", "no", "no", "yes"]),
        "tf": pa.array(["False", "TRUE", "true", "false", "True", "0", "1", "true"]),
        "score01": pa.array([0.0, 1.0, 1.0, 0.0, 1.0, 0.0, 0.0, 1.0]),
        "third": pa.array(["a", "b", "a", "b", "a", "c", "a", "b"]),
        "zero_minus": pa.array([0, 1, 0, 1, 1, -1, 0, 1], pa.int32()),
        "with_null": pa.array([0, 1, 1, 0, 1, None, 0, 1], pa.int64()),
        "bad": pa.array(["0", "1", "1", "maybe", "1", "0", "0", "1"]),
    })
    for name, dictionary in [("labels.parquet", True), ("labels-plain.parquet", False)]:
        pq.write_table(labels, os.path.join(HERE, name), row_group_size=4, use_dictionary=dictionary)
    # Examples/adult-predictions.csv as pandas reads it, under each compression (the audit of each
    # must equal the CSV audit bit for bit).
    adult = pd.read_csv(os.path.join(HERE, "../../../../Examples/adult-predictions.csv"))
    for compression in ["none", "snappy", "gzip", "zstd"]:
        pq.write_table(pa.Table.from_pandas(adult, preserve_index=False),
                       os.path.join(HERE, f"adult-predictions-{compression}.parquet"),
                       compression=compression)
    with open(os.path.join(HERE, "expected_types.json"), "w") as fh:
        json.dump(exp, fh, indent=0, ensure_ascii=False)
        fh.write("\n")


if __name__ == "__main__":
    main()
