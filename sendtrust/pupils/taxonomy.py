"""Load a need taxonomy from its fixture file into NeedType rows."""

import json
from pathlib import Path

FIXTURES = Path(__file__).parent / "fixtures"
DEFAULT_FILE = FIXTURES / "need_types_england.json"


def load_taxonomy(need_model, path: Path = DEFAULT_FILE) -> int:
    """Create or update the taxonomy's need types; return how many the file holds."""
    data = json.loads(Path(path).read_text())
    taxonomy = data["taxonomy"]
    for order, row in enumerate(data["needs"]):
        need_model.objects.update_or_create(
            taxonomy=taxonomy,
            code=row["code"],
            defaults={
                "label": row["label"],
                "broad_area": row["broad_area"],
                "support_only": row.get("support_only", False),
                "valid_from": row.get("valid_from"),
                "sort_order": order,
            },
        )
    return len(data["needs"])
