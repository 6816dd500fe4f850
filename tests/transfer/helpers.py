"""Building spreadsheets for the import tests, in tmp_path."""

from __future__ import annotations

import csv
from pathlib import Path

import openpyxl

from minyi.transfer import mapping

DEFAULT = mapping.load("default")
H = DEFAULT.columns  # field → header of minyi's own format


def row(**fields) -> dict[str, object]:
    """A valid row of the default format (by field name), with overrides."""
    values: dict[str, object] = {
        "external_id": "X-1",
        "channel": "hotline",
        "demand_type": "complaint",
        "status": "archived",
        "title": "小区暖气不热",
        "description": "幸福小区3号楼暖气温度只有十四度。",
        "received_at": "2025-12-01 09:00:00",
        "replied_at": "2025-12-03 10:00:00",
        "closed_at": "2025-12-05 11:00:00",
        "reply_text": "已协调热力公司排查管网，温度已恢复。",
        "requester_name": "张三",
        "requester_phone": "13812341234",
    }
    values.update(fields)
    return values


def write_csv(path: Path, rows: list[dict], fields: list[str] | None = None, *, encoding="utf-8-sig") -> Path:
    fields = fields or list(dict.fromkeys(k for r in rows for k in r))
    with open(path, "w", newline="", encoding=encoding) as f:
        writer = csv.writer(f)
        writer.writerow([H[name] for name in fields])
        for r in rows:
            writer.writerow([r.get(name, "") for name in fields])
    return path


def write_xlsx(path: Path, rows: list[dict], fields: list[str] | None = None) -> Path:
    fields = fields or list(dict.fromkeys(k for r in rows for k in r))
    book = openpyxl.Workbook()
    ws = book.active
    ws.append([H[name] for name in fields])
    for r in rows:
        ws.append([r.get(name) for name in fields])
    book.save(path)
    return path


def read_csv(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))
