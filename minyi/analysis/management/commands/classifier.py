"""`minyi classifier`: train, evaluate and manage the category classifier (docs/analysis/classifier.md).

    minyi classifier train --data FILE [--data FILE …] --out MODEL [--text-column text] [--label-column label]
    minyi classifier train --from-db [--no-activate]
    minyi classifier evaluate --model MODEL --data FILE [--json]
    minyi classifier list | activate VERSION | deactivate | accuracy

Data files are UTF-8 CSV with a header; the text may be raw or pre-segmented (space-separated tokens).
"""

from __future__ import annotations

import csv
import json
import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from minyi.analysis import classifier as method
from minyi.analysis import suggestions
from minyi.analysis.models import ClassifierModel
from minyi.core.errors import MinyiError


def read_examples(paths: list[str], text_column: str, label_column: str) -> tuple[list[str], list[str]]:
    """Texts and labels from CSV files; an unreadable file, a missing column or an empty cell is an error."""
    csv.field_size_limit(sys.maxsize)
    texts: list[str] = []
    labels: list[str] = []
    for name in paths:
        path = Path(name)
        if not path.is_file():
            raise CommandError(f"There is no file {path}.")
        try:
            with path.open(encoding="utf-8-sig", newline="") as source:
                reader = csv.DictReader(source)
                header = reader.fieldnames or []
                missing = [c for c in (text_column, label_column) if c not in header]
                if missing:
                    has = ", ".join(header) or "nothing"
                    raise CommandError(
                        f"{path}: no column {', '.join(missing)} (the header has: {has}). "
                        "Name the columns with --text-column and --label-column."
                    )
                for number, row in enumerate(reader, start=2):
                    value, label = (row.get(text_column) or "").strip(), (row.get(label_column) or "").strip()
                    if not value or not label:
                        empty = label_column if value else text_column
                        raise CommandError(f"{path}, row {number}: the {empty} is empty.")
                    texts.append(value)
                    labels.append(label)
        except UnicodeDecodeError:
            raise CommandError(f"{path} is not UTF-8 text: save it as CSV UTF-8.") from None
    if not texts:
        raise CommandError("The data has no rows.")
    return texts, labels


class Command(BaseCommand):
    help = "Train, evaluate and manage the category classifier."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        train = sub.add_parser("train", help="Train a model from CSV files or from the handled cases.")
        train.add_argument("--data", action="append", default=[], help="A CSV file (repeatable).")
        train.add_argument("--out", help="Where to write the model file (with --data).")
        train.add_argument("--from-db", action="store_true", help="Learn from the district's handled cases.")
        train.add_argument(
            "--no-activate", action="store_true", help="With --from-db: keep the active version."
        )
        train.add_argument("--text-column", default="text")
        train.add_argument("--label-column", default="label")
        evaluate = sub.add_parser("evaluate", help="Measure a model on labelled data.")
        evaluate.add_argument(
            "--model", required=True, help="A model file, or a version number of the database."
        )
        evaluate.add_argument("--data", required=True)
        evaluate.add_argument("--json", action="store_true", help="Print one JSON object.")
        evaluate.add_argument("--text-column", default="text")
        evaluate.add_argument("--label-column", default="label")
        sub.add_parser("list", help="The versions trained from the database.")
        activate = sub.add_parser("activate", help="Make a version the active one.")
        activate.add_argument("version", type=int)
        sub.add_parser("deactivate", help="Switch the suggestion off.")
        sub.add_parser("accuracy", help="How often the suggestions matched the dispatchers' choice.")

    def handle(self, *args, action: str, **options):
        try:
            getattr(self, f"_{action}")(**options)
        except (MinyiError, method.TrainingError) as exc:
            raise CommandError(getattr(exc, "message", str(exc))) from None

    def _train(self, *, data, out, from_db, no_activate, text_column, label_column, **_):
        if from_db == bool(data):
            raise CommandError("Give either --data FILE … --out MODEL, or --from-db.")
        if from_db:
            row = suggestions.classifier_train_from_db(activate=not no_activate)
            state = "active" if row.is_active else "not active"
            self.stdout.write(
                f"version {row.version} ({state}): {row.examples} cases, {len(row.labels)} categories, "
                f"held-out macro-F1 {row.held_out_macro_f1}, {row.info.get('training_seconds')} s"
            )
            return
        if not out:
            raise CommandError("Say where to write the model: --out MODEL.")
        texts, labels = read_examples(data, text_column, label_column)
        trained = method.train(texts, labels)
        method.save(trained, Path(out))
        info = trained.info
        self.stdout.write(
            f"{out}: {info['examples']} examples, {len(info['labels'])} labels, "
            f"held-out macro-F1 {info['held_out_macro_f1']}, {info['training_seconds']} s"
        )

    def _evaluate(self, *, model, data, json: bool, text_column, label_column, **_):
        trained = self._load(model)
        texts, labels = read_examples([data], text_column, label_column)
        result = method.evaluate(trained, texts, labels)
        if json:
            self.stdout.write(_json(result))
            return
        self.stdout.write(
            f"macro-F1 {result['macro_f1']}, accuracy {result['accuracy']}, n {result['n']}, "
            f"{result['ms_per_message']} ms per message"
        )
        for name, row in result["per_class"].items():
            self.stdout.write(
                f"  {name}: precision {row['precision']}, recall {row['recall']}, "
                f"f1 {row['f1']}, support {row['support']}"
            )

    def _load(self, model: str) -> method.Classifier:
        from django.conf import settings

        if model.isdigit() and not Path(model).exists():
            row = ClassifierModel.objects.filter(version=int(model)).first()
            if row is None:
                raise CommandError(f"There is no classifier version {model}.")
            return method.load(settings.DATA_DIR / row.file)
        try:
            return method.load(Path(model))
        except FileNotFoundError as exc:
            raise CommandError(str(exc)) from None

    def _list(self, **_):
        rows = list(ClassifierModel.objects.all())
        if not rows:
            self.stdout.write("No version trained yet: minyi classifier train --from-db")
        for row in rows:
            mark = "*" if row.is_active else " "
            self.stdout.write(
                f"{mark} v{row.version}  {row.trained_at:%Y-%m-%d %H:%M}  {row.examples} cases  "
                f"{len(row.labels)} categories  held-out macro-F1 {row.held_out_macro_f1}"
            )

    def _activate(self, *, version: int, **_):
        row = suggestions.classifier_activate(version=version)
        self.stdout.write(f"version {row.version} is active")

    def _deactivate(self, **_):
        suggestions.classifier_deactivate()
        self.stdout.write("category suggestion is off")

    def _accuracy(self, **_):
        result = suggestions.accuracy_in_production()
        if not result.judged:
            self.stdout.write("No suggested case has been assigned yet.")
            return
        self.stdout.write(
            f"{result.judged} assigned cases: first suggestion right {result.top1_rate:.1%}, "
            f"one of three right {result.top3_rate:.1%}"
        )


def _json(value) -> str:
    return json.dumps(value, ensure_ascii=False, indent=2)
