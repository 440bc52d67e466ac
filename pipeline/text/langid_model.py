"""py3langid's identifier, restricted to a language set, loaded from a memory-mapped cache.

py3langid ships its model as an LZMA-compressed npz: every process start decompresses
68 MB and parses it (about 0.8 s of CPU), then `set_languages` copies the columns of the
languages asked for. `load_identifier` does that once and keeps the restricted model
as plain `.npy` files in the cache folder (`$STIMMUNG_CACHE_DIR`, default
`~/.cache/stimmung`, as the encoder's graphs); later processes map them (milliseconds,
and the transition table is shared page cache instead of private memory). The cache
is keyed by a digest of py3langid's model file and the language list, written to a
temporary folder and renamed into place, and left alone (the model loaded the slow
way) when the folder is not writable. The arrays are the ones py3langid itself
loads, so the identifier ranks exactly as `LanguageIdentifier.from_model_file` +
`set_languages` does.
"""

from __future__ import annotations

import hashlib
import logging
import os
import shutil
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from pipeline.text.cache import cache_dir

log = logging.getLogger(__name__)

__all__ = ["cache_dir", "load_identifier"]

CACHE_FORMAT = "1"  # bump when what is stored changes
_ARRAYS = ("ptc", "pc", "classes", "nextmove", "row", "output")


def _model_file() -> Path:
    from py3langid.langid import MODEL_DIR, MODEL_FILE

    return Path(MODEL_DIR) / MODEL_FILE


def _key(model: Path, languages: Sequence[str]) -> str:
    digest = hashlib.sha256(model.read_bytes())
    digest.update(("\0".join(languages) + "\0" + CACHE_FORMAT).encode())
    return digest.hexdigest()[:20]


def _from_arrays(arrays: dict[str, Any]) -> Any:
    from py3langid.langid import LanguageIdentifier

    ident = LanguageIdentifier(arrays["ptc"], arrays["pc"],
                               [str(c) for c in arrays["classes"]], arrays["nextmove"],
                               arrays["output"].tolist(), norm_probs=False,
                               tk_row=arrays["row"].tolist())
    return ident


def _read(folder: Path) -> Any | None:
    try:
        arrays = {name: np.load(folder / f"{name}.npy", mmap_mode="r", allow_pickle=False)
                  for name in _ARRAYS}
    except (OSError, ValueError):
        return None
    return _from_arrays(arrays)


def _write(folder: Path, ident: Any) -> None:
    arrays = {"ptc": np.ascontiguousarray(ident.nb_ptc), "pc": np.asarray(ident.nb_pc),
              "classes": np.array(list(ident.nb_classes)),
              "nextmove": np.asarray(memoryview(ident.tk_nextmove)),
              "row": np.asarray(memoryview(ident.tk_row)),
              "output": np.asarray(ident.tk_output, dtype=np.int32)}
    folder.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{folder.name}-", dir=folder.parent))
    try:
        for name, arr in arrays.items():
            np.save(tmp / f"{name}.npy", arr, allow_pickle=False)
        os.replace(tmp, folder)
    except OSError:
        shutil.rmtree(tmp, ignore_errors=True)
        if not folder.is_dir():
            raise


def load_identifier(languages: Sequence[str]) -> Any:
    """py3langid's `LanguageIdentifier` (raw scores, `norm_probs=False`) restricted to
    `languages`, from the cache when there, else from py3langid's file (then cached)."""
    from py3langid.langid import LanguageIdentifier

    model = _model_file()
    folder = cache_dir() / f"py3langid-{_key(model, languages)}"
    if folder.is_dir():
        ident = _read(folder)
        if ident is not None:
            ident.set_languages(list(languages))  # all columns of the cached model
            return ident
        shutil.rmtree(folder, ignore_errors=True)  # damaged: written again below
    ident = LanguageIdentifier.from_model_file(model, norm_probs=False)
    ident.set_languages(list(languages))
    try:
        _write(folder, ident)
    except OSError as exc:  # a read-only home: load the slow way every time
        log.debug("language model not cached in %s: %s", folder, exc)
    return ident
