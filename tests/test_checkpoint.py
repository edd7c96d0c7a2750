"""Checkpoints: round trip, and each kind of damaged file gives a clear ValueError."""

import json
import os
import zipfile

import numpy as np
import pytest

import lstmlab.checkpoint as ckpt
from lstmlab.checkpoint import load_checkpoint, save_checkpoint


def sample():
    rng = np.random.default_rng(0)
    arrays = {
        "W_x": rng.standard_normal((3, 8)),
        "W_h": rng.standard_normal((2, 8)).astype(np.float32),
        "opt.t": np.array(7, dtype=np.int64),
        "opt.m.W_x": rng.standard_normal((3, 8)),
        "mask": np.array([True, False, True]),
    }
    meta = {
        "step": 7,
        "config": {"cell": "lstm", "H": 2, "lr": 1e-3, "sizes": [1, 2, 3], "clip": None},
        "rng": np.random.default_rng(5).bit_generator.state,
        "loss": float("nan"),
    }
    return arrays, meta


def read_members(path):
    """Every member of the .npz as it is stored, bypassing load_checkpoint's checks."""
    with np.load(path, allow_pickle=False) as f:
        return {name: f[name] for name in f.files}


@pytest.fixture
def saved(tmp_path):
    arrays, meta = sample()
    path = tmp_path / "run.npz"
    save_checkpoint(path, arrays, meta)
    return path, arrays, meta


def test_round_trip_is_exact(saved):
    path, arrays, meta = saved
    loaded, loaded_meta = load_checkpoint(path)
    assert sorted(loaded) == sorted(arrays)
    for k, a in arrays.items():
        assert loaded[k].dtype == a.dtype and loaded[k].shape == a.shape
        np.testing.assert_array_equal(loaded[k], a)
    assert loaded_meta["config"] == meta["config"]
    assert np.isnan(loaded_meta["loss"]) and loaded_meta["step"] == 7
    rng = np.random.default_rng()
    rng.bit_generator.state = loaded_meta["rng"]  # the generator continues exactly
    assert rng.random() == np.random.default_rng(5).random()
    assert load_checkpoint(path, expected_keys=list(arrays))[0].keys() == loaded.keys()


def test_file_is_a_plain_npz_without_object_arrays(saved):
    path, arrays, meta = saved
    files = read_members(path)
    assert all(a.dtype != object for a in files.values())
    assert json.loads(files["__meta__"].tobytes().decode())["step"] == 7
    assert int(files["__format__"]) == ckpt.FORMAT_VERSION


def test_save_does_not_modify_inputs_and_overwrites(tmp_path):
    arrays, meta = sample()
    copies = {k: a.copy() for k, a in arrays.items()}
    meta_json = json.dumps(meta, sort_keys=True)
    path = tmp_path / "run.npz"
    save_checkpoint(path, arrays, meta)
    save_checkpoint(path, {"W_x": np.zeros(2)}, {"step": 8})
    for k in arrays:
        np.testing.assert_array_equal(arrays[k], copies[k])
    assert json.dumps(meta, sort_keys=True) == meta_json
    loaded, loaded_meta = load_checkpoint(path)
    assert list(loaded) == ["W_x"] and loaded_meta == {"step": 8}
    assert os.listdir(tmp_path) == ["run.npz"]  # no temporary file left behind


def test_truncated_file(saved):
    path, _, _ = saved
    data = path.read_bytes()
    for cut in (len(data) - 1, len(data) // 2, 100, 10, 0):
        path.write_bytes(data[:cut])
        with pytest.raises(ValueError, match=rf"^{path}: not a valid lstmlab checkpoint"):
            load_checkpoint(path)


def test_flipped_bits_never_give_wrong_data(saved):
    """Every flipped bit either raises a ValueError naming the file, or (in a field zip ignores) changes nothing."""
    path, arrays, meta = saved
    data = bytearray(path.read_bytes())
    offset = data.find(arrays["opt.m.W_x"].tobytes())
    assert offset > 0
    caught = 0
    positions = sorted(set(range(0, len(data), 11)) | {offset + 5, offset + 100})
    for pos in positions:
        bad = bytearray(data)
        bad[pos] ^= 1 << (pos % 8)
        path.write_bytes(bytes(bad))
        try:
            loaded, loaded_meta = load_checkpoint(path)
        except ValueError as e:
            assert str(e).startswith(str(path))
            caught += 1
            continue
        for k in arrays:
            np.testing.assert_array_equal(loaded[k], arrays[k])
        assert loaded_meta["config"] == meta["config"]
    assert caught > len(positions) // 2
    bad = bytearray(data)
    bad[offset + 5] ^= 0x10  # inside the array data: zip's CRC or our checksum must catch it
    path.write_bytes(bytes(bad))
    with pytest.raises(ValueError, match=rf"^{path}: "):
        load_checkpoint(path)


def test_data_changed_consistently_is_caught_by_the_checksum(saved):
    """A member rewritten with a valid CRC (so zip sees nothing wrong) still fails the checksum."""
    path, arrays, meta = saved
    members = read_members(path)
    members["W_x"] = members["W_x"].copy()
    members["W_x"][0, 0] += 1e-12
    np.savez(path, **members)
    with pytest.raises(ValueError, match=rf"^{path}: checksum mismatch"):
        load_checkpoint(path)


def test_wrong_and_missing_keys(saved):
    path, arrays, meta = saved
    with pytest.raises(ValueError, match=r"missing keys \['b'\] and unexpected keys \['mask'\]"):
        load_checkpoint(path, expected_keys=[k for k in arrays if k != "mask"] + ["b"])
    members = read_members(path)
    del members["W_h"]  # a member removed: the checksum no longer matches
    np.savez(path, **members)
    with pytest.raises(ValueError, match="checksum mismatch"):
        load_checkpoint(path)
    del members["__checksum__"]
    np.savez(path, **members)
    with pytest.raises(ValueError, match=r"not an lstmlab checkpoint: missing the members \['__checksum__'\]"):
        load_checkpoint(path)
    np.savez(path, W_x=np.ones(3))  # any other .npz
    with pytest.raises(ValueError, match="missing the members"):
        load_checkpoint(path)


def test_wrong_format_version(saved):
    path, _, _ = saved
    members = read_members(path)
    members["__format__"] = np.array(99)
    np.savez(path, **members)
    with pytest.raises(ValueError, match="expected checkpoint format version 1, got"):
        load_checkpoint(path)


def test_pickled_object_inside_is_refused(saved):
    path, arrays, _ = saved
    members = read_members(path)
    members["evil"] = np.array([{"a": 1}, None], dtype=object)
    np.savez(path, **members)  # np.savez pickles object arrays
    with zipfile.ZipFile(path) as z:
        assert "evil.npy" in z.namelist()
    with pytest.raises(ValueError, match=r"member 'evil' holds a pickled object array"):
        load_checkpoint(path)


def test_not_a_checkpoint_at_all(tmp_path):
    path = tmp_path / "x.npy"
    np.save(path, np.arange(3))
    with pytest.raises(ValueError, match="a single .npy array, not an .npz archive"):
        load_checkpoint(path)
    text = tmp_path / "notes.npz"
    text.write_text("hello")
    with pytest.raises(ValueError, match=rf"^{text}: not a valid lstmlab checkpoint"):
        load_checkpoint(text)
    with pytest.raises(FileNotFoundError, match="no such checkpoint file"):
        load_checkpoint(tmp_path / "absent.npz")


def test_failed_save_leaves_the_old_file_intact(saved, monkeypatch):
    path, arrays, meta = saved
    before = path.read_bytes()

    def write_half_then_fail(f, members):
        f.write(b"PK\x03\x04 half a zip")
        raise OSError("disk full")

    monkeypatch.setattr(ckpt, "_write_npz", write_half_then_fail)
    with pytest.raises(OSError, match="disk full"):
        save_checkpoint(path, {"W_x": np.zeros(3)}, {"step": 99})
    assert path.read_bytes() == before
    assert os.listdir(path.parent) == [path.name]
    loaded, loaded_meta = load_checkpoint(path)
    assert loaded_meta["step"] == 7


@pytest.mark.parametrize(
    "arrays, meta, exc, match",
    [
        ({"a": np.array([object(), 1], dtype=object)}, {}, TypeError, r"arrays\['a'\]: .*dtype object"),
        ({"a": [1.0, 2.0]}, {}, TypeError, r"arrays\['a'\]: expected a NumPy or CuPy array, got list"),
        ({3: np.zeros(2)}, {}, TypeError, "arrays: expected non-empty str names, got 3"),
        ({"__meta__": np.zeros(2)}, {}, ValueError, "arrays: the names .* are reserved"),
        ({"a": np.zeros(2)}, {"x": np.zeros(2)}, TypeError, "meta: expected JSON-serialisable values"),
        ({"a": np.zeros(2)}, [1], TypeError, "meta: expected a dict"),
        ([np.zeros(2)], {}, TypeError, "arrays: expected a dict"),
    ],
)
def test_bad_save_arguments_write_nothing(tmp_path, arrays, meta, exc, match):
    with pytest.raises(exc, match=match):
        save_checkpoint(tmp_path / "c.npz", arrays, meta)
    assert os.listdir(tmp_path) == []
