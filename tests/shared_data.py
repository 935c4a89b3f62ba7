"""Reference data from the shared folder beside the checkout, which not every machine has.

``ASIA_BEACON_SHARED_DIR`` names the folder (default ``<repo>/../shared``); tests that need a
file from it skip, saying which file was missing, where it is absent.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent
CINECA_VCF = Path("data", "cineca", "vcf", "chr22_cineca_5002.vcf.gz")
CINECA_BFF = Path("data", "cineca", "bff")
CINECA_DATASET = "CINECA_synthetic_cohort_EUROPE_UK1"


def shared_dir() -> Path:
    configured = os.environ.get("ASIA_BEACON_SHARED_DIR")
    return Path(configured).expanduser().resolve() if configured else REPO_ROOT.parent / "shared"


def shared_file(relative: Path) -> Path:
    """The file under the shared folder, or skip the calling test."""
    path = shared_dir() / relative
    if not path.is_file():
        pytest.skip(f"shared reference file {path} is absent (set ASIA_BEACON_SHARED_DIR)")
    return path
