"""Checkpoints: named arrays and a JSON ``meta`` dict in one ``.npz`` file, written safely and checked on load.

A checkpoint holds what training needs to continue exactly: the parameters,
the optimiser's and the schedule's state (``state_dict()`` of each, all flat
arrays), and a ``meta`` dict of plain values (the config, the step, the
state of the random generator as ``rng.bit_generator.state``, ...).

Safety:

* **No pickles.** Arrays are stored as ``.npy`` members of an ``.npz`` file and
  read with ``np.load(..., allow_pickle=False)``; ``meta`` is stored as UTF-8
  JSON in a ``uint8`` array. An object array is refused when saving and
  reported when loading.
* **All or nothing.** The file is written to a temporary file in the same
  folder and moved over ``path`` with ``os.replace`` only once it is complete,
  so a crash or an error during the save leaves an existing ``path`` as it was.
* **Checked.** A format version and a SHA-256 checksum over every array's
  name, dtype, shape and bytes and over ``meta`` are stored with the data.
  A truncated file, a flipped bit, a missing or an extra member, and a
  pickled object each raise a ``ValueError`` that names the file and says
  what is wrong.

>>> import numpy as np, tempfile, os
>>> path = os.path.join(tempfile.mkdtemp(), "run.npz")
>>> save_checkpoint(path, {"W_x": np.eye(2)}, {"step": 10, "config": {"H": 2}})
>>> arrays, meta = load_checkpoint(path)
>>> meta["step"], arrays["W_x"].shape
(10, (2, 2))
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile

import numpy as np

from .backend import asnumpy, is_gpu_array

#: The version of the file layout written by :func:`save_checkpoint`.
FORMAT_VERSION = 1

#: Reserved member names; user arrays may not use them.
META_KEY, FORMAT_KEY, CHECKSUM_KEY = "__meta__", "__format__", "__checksum__"
RESERVED = (META_KEY, FORMAT_KEY, CHECKSUM_KEY)


def _check_path(path) -> str:
    """``path`` as a str, or a TypeError naming it."""
    if not isinstance(path, (str, os.PathLike)) or isinstance(path, bytes):
        raise TypeError(f"path: expected a str or os.PathLike file path, got {type(path).__name__} {path!r:.60}")
    path = os.fspath(path)
    if not isinstance(path, str) or not path:
        raise ValueError(f"path: expected a non-empty file path, got {path!r}")
    return path


def _checksum(arrays: dict, meta_bytes: bytes) -> bytes:
    """SHA-256 over the format version, every array (name, dtype, shape, bytes, in name order) and the meta."""
    h = hashlib.sha256()
    h.update(f"lstmlab-checkpoint {FORMAT_VERSION}\n".encode())
    for name in sorted(arrays):
        a = arrays[name]
        header = json.dumps([name, a.dtype.str, list(a.shape)])
        h.update(f"{len(header)}:{header}".encode())
        h.update(np.ascontiguousarray(a).tobytes())
    h.update(b"meta:")
    h.update(meta_bytes)
    return h.digest()


def _to_host(name: str, a) -> np.ndarray:
    if not (isinstance(a, (np.ndarray, np.generic)) or is_gpu_array(a)):
        raise TypeError(f"arrays[{name!r}]: expected a NumPy or CuPy array, got {type(a).__name__}")
    a = np.asarray(asnumpy(a))
    if a.dtype.hasobject:
        raise TypeError(f"arrays[{name!r}]: expected a numeric, bool or string array, got dtype object (needs pickle)")
    return a


def save_checkpoint(path, arrays: dict, meta: dict | None = None) -> None:
    """Write ``arrays`` and ``meta`` to ``path`` (an ``.npz`` file, used as given), atomically.

    ``arrays`` maps names (str) to NumPy or CuPy arrays (CuPy arrays are
    copied to the host). ``meta`` is a dict of JSON values: dicts with str
    keys, lists, str, int, float, bool and None; tuples come back as lists.
    Neither argument is modified. On any error nothing is left behind and an
    existing file at ``path`` is untouched.
    """
    path = _check_path(path)
    if not isinstance(arrays, dict):
        raise TypeError(f"arrays: expected a dict of named arrays, got {type(arrays).__name__}")
    host = {}
    for name, a in arrays.items():
        if not isinstance(name, str) or not name:
            raise TypeError(f"arrays: expected non-empty str names, got {name!r}")
        if name in RESERVED:
            raise ValueError(f"arrays: the names {list(RESERVED)} are reserved, got {name!r}")
        host[name] = _to_host(name, a)
    meta = {} if meta is None else meta
    if not isinstance(meta, dict):
        raise TypeError(f"meta: expected a dict of JSON values, got {type(meta).__name__}")
    try:
        meta_bytes = json.dumps(meta, sort_keys=True, allow_nan=True).encode("utf-8")
    except (TypeError, ValueError) as e:
        raise TypeError(
            f"meta: expected JSON-serialisable values (dict, list, str, int, float, bool, None), {e}"
        ) from e
    members = dict(host)
    members[META_KEY] = np.frombuffer(meta_bytes, dtype=np.uint8)
    members[FORMAT_KEY] = np.array(FORMAT_VERSION, dtype=np.int64)
    members[CHECKSUM_KEY] = np.frombuffer(_checksum(host, meta_bytes), dtype=np.uint8)

    folder = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(prefix="." + os.path.basename(path) + ".", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(fd, "wb") as f:
            _write_npz(f, members)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.remove(tmp)
        except FileNotFoundError:
            pass
        raise


def _write_npz(f, members: dict) -> None:
    """Write ``members`` as an uncompressed ``.npz`` to the open binary file ``f``."""
    np.savez(f, **members)


def load_checkpoint(path, expected_keys=None) -> tuple:
    """Read a file written by :func:`save_checkpoint` and check it: returns ``(arrays, meta)``.

    ``arrays`` is a dict of NumPy arrays (move them to a GPU with
    :func:`lstmlab.backend.to_device`), ``meta`` the dict that was saved. With
    ``expected_keys`` (an iterable of names), a file whose arrays are not
    exactly those names raises a ``ValueError`` listing the missing and the
    unexpected ones. Every problem with the file raises a ``ValueError`` that
    starts with the path; a missing file raises ``FileNotFoundError``.
    """
    path = _check_path(path)
    if not os.path.exists(path):
        raise FileNotFoundError(f"{path}: no such checkpoint file")
    bad = f"{path}: not a valid lstmlab checkpoint"
    try:
        f = np.load(path, allow_pickle=False)
    except Exception as e:  # any failure to parse means a truncated, damaged or foreign file
        raise ValueError(f"{bad} (truncated, corrupted or not an .npz file): {type(e).__name__}: {e}") from e
    if not isinstance(f, np.lib.npyio.NpzFile):
        raise ValueError(f"{bad}: it holds a single .npy array, not an .npz archive")
    members = {}
    with f:
        for name in f.files:
            try:
                members[name] = f[name]
            except ValueError as e:
                if "allow_pickle" in str(e) or "Object arrays" in str(e):
                    raise ValueError(
                        f"{bad}: member {name!r} holds a pickled object array, which is never loaded"
                    ) from e
                raise ValueError(f"{bad}: member {name!r} is corrupted: {e}") from e
            except Exception as e:  # zip's CRC check, an unknown compression method, a cut-off member
                raise ValueError(f"{bad}: member {name!r} is corrupted: {type(e).__name__}: {e}") from e

    missing = [k for k in RESERVED if k not in members]
    if missing:
        raise ValueError(f"{path}: not an lstmlab checkpoint: missing the members {missing}")
    version = members.pop(FORMAT_KEY)
    if version.shape != () or version.dtype.kind not in "iu" or int(version) != FORMAT_VERSION:
        raise ValueError(f"{path}: expected checkpoint format version {FORMAT_VERSION}, got {version!r}")
    meta_raw, stored = members.pop(META_KEY), members.pop(CHECKSUM_KEY)
    if meta_raw.dtype != np.uint8 or meta_raw.ndim != 1 or stored.dtype != np.uint8 or stored.shape != (32,):
        raise ValueError(f"{path}: the meta or checksum member has the wrong dtype or shape (corrupted file)")
    meta_bytes = meta_raw.tobytes()
    if _checksum(members, meta_bytes) != stored.tobytes():
        raise ValueError(f"{path}: checksum mismatch: the file was changed or corrupted after it was written")
    meta = json.loads(meta_bytes.decode("utf-8"))
    if expected_keys is not None:
        expected = list(expected_keys)
        lost = [k for k in expected if k not in members]
        extra = [k for k in members if k not in expected]
        if lost or extra:
            parts = ([f"missing keys {lost}"] if lost else []) + ([f"unexpected keys {extra}"] if extra else [])
            raise ValueError(f"{path}: expected the arrays {sorted(expected)}, got {' and '.join(parts)}")
    return members, meta
