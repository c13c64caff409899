"""The README's tour shows screenshots that exist (a renamed PNG would leave a broken image)."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_every_image_in_the_readme_exists():
    images = re.findall(r"!\[[^\]]*\]\(([^)]+)\)", (ROOT / "README.md").read_text("utf-8"))
    assert images, "the tour has no screenshots"
    assert [i for i in images if not (ROOT / i).is_file()] == []
