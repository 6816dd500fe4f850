"""Category suggestion in the product: train on the district's own handled cases, keep versions, serve
the active one to the intake desk and the dispatcher, and report how often it was right.

- Training (`classifier_train_from_db`) learns from cases that were replied to and have a category.
  A category with too few such cases is learned as its parent (供热不足 → 供热 → 城乡建设), so thin
  leaves still help their branch; a top-level category that stays thin is left out.
- Each trained model is a file under DATA_DIR/models/classifier/ and a `ClassifierModel` row; at most
  one is active. Every process re-reads which version is active at most every
  MINYI_CLASSIFIER_RECHECK_SECONDS and loads a new file beside the old one, so activating a version
  swaps it on every server without a restart.
- With too little history (MINYI_CLASSIFIER_MIN_CASES, MINYI_CLASSIFIER_MIN_PER_CATEGORY) training
  refuses and the suggestion stays off, saying why.
- Only what the model is confident of is shown (`Classifier.shown`: the first category from the
  model's `min_confidence`, others beside it from 10 %), and only categories still in use; otherwise
  the desks say the model is not sure. No suggestion rather than a wrong one (issue 16).
- A suggestion shown for a case is stored once (`CategorySuggestion`); accuracy in production compares
  it with the category the case had when it was assigned (the dispatcher's final choice).
"""

from __future__ import annotations

import logging
import threading
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from minyi.analysis import classifier as method
from minyi.analysis.models import CategorySuggestion, ClassifierModel
from minyi.cases.models import Case
from minyi.catalog.models import Category
from minyi.catalog.services import Routing, routing_for
from minyi.core import clock
from minyi.core.errors import InvalidInput
from minyi.org.models import Area

log = logging.getLogger("minyi.analysis")

TOP = 3
MODEL_FOLDER = Path("models") / "classifier"


def case_text(title: str, description: str) -> str:
    """What the classifier reads of a case: the title first (the head features), then the story."""
    return f"{title or ''}\n{description or ''}".strip()


# Training ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Examples:
    texts: list[str]
    codes: list[str]  # the category code each text is learned as
    left_out: dict[str, int]  # top-level categories with too few cases → their count


def training_examples(min_per_category: int | None = None) -> Examples:
    """The handled cases with a category, each labelled with the deepest category on its branch that
    has at least `min_per_category` cases (counting the cases below it)."""
    minimum = min_per_category or settings.MINYI_CLASSIFIER_MIN_PER_CATEGORY
    rows = list(
        Case.objects.filter(replied_at__isnull=False, category__isnull=False)
        .values_list("title", "description", "category_id")
        .order_by("pk")
    )
    nodes = {c.pk: c for c in Category.objects.all()}
    label = _labels_by_volume(Counter(cid for *_rest, cid in rows), nodes, minimum)
    texts, codes, left_out = [], [], Counter()
    for title, description, category_id in rows:
        target = label[category_id]
        if target is None:
            left_out[_root(nodes, category_id).code] += 1
            continue
        texts.append(case_text(title, description))
        codes.append(nodes[target].code)
    return Examples(texts, codes, dict(left_out))


def _root(nodes: dict[int, Category], category_id: int) -> Category:
    node = nodes[category_id]
    while node.parent_id is not None:
        node = nodes[node.parent_id]
    return node


def _labels_by_volume(counts: Counter, nodes: dict[int, Category], minimum: int) -> dict[int, int | None]:
    """Category id → the id it is learned as (None: left out). Thin nodes hand their cases up."""
    total = Counter()
    for category_id, n in counts.items():  # a node's volume includes everything below it
        node = nodes[category_id]
        while node is not None:
            total[node.pk] += n
            node = nodes.get(node.parent_id) if node.parent_id else None
    label: dict[int, int | None] = {}
    for category_id in counts:
        node = nodes[category_id]
        while total[node.pk] < minimum and node.parent_id is not None:
            node = nodes[node.parent_id]
        label[category_id] = node.pk if total[node.pk] >= minimum else None
    # A node's volume counts the cases of children that keep their own label, so it may be left
    # with a single case of its own, which no classifier can learn (method.MIN_PER_CLASS): such
    # cases go on up, and are left out above the top.
    while True:
        own = Counter()
        for category_id, target in label.items():
            own[target] += counts[category_id]
        thin = {t for t, n in own.items() if t is not None and n < method.MIN_PER_CLASS}
        if not thin:
            return label
        for category_id, target in label.items():
            if target in thin:
                label[category_id] = nodes[target].parent_id


def classifier_train_from_db(*, activate: bool = True) -> ClassifierModel:
    """Train a new version on the district's handled cases; activate it unless told not to."""
    examples = training_examples()
    minimum = settings.MINYI_CLASSIFIER_MIN_CASES
    handled = len(examples.texts) + sum(examples.left_out.values())
    if handled < minimum:
        raise InvalidInput(
            _(
                "Too little history to learn categories from: %(n)d handled cases with a category, "
                "at least %(min)d are needed (MINYI_CLASSIFIER_MIN_CASES)."
            )
            % {"n": handled, "min": minimum}
        )
    try:
        trained = method.train(examples.texts, examples.codes)
    except method.TrainingError as exc:
        raise InvalidInput(str(exc)) from None
    return register(trained, activate=activate, left_out=examples.left_out)


def register(trained: method.Classifier, *, activate: bool, left_out: dict | None = None) -> ClassifierModel:
    """Save a trained classifier as the next version (file first, then the row that names it)."""
    for _attempt in range(3):  # two processes training at once: the second takes the next number
        version = (ClassifierModel.objects.aggregate(v=Max("version"))["v"] or 0) + 1
        relative = MODEL_FOLDER / f"v{version}.joblib"
        method.save(trained, settings.DATA_DIR / relative)
        info = {**trained.info, "left_out": left_out or {}}
        try:
            with transaction.atomic():
                row = ClassifierModel.objects.create(
                    version=version,
                    file=str(relative),
                    trained_at=clock.now(),
                    examples=info["examples"],
                    labels=info["labels"],
                    held_out_macro_f1=info.get("held_out_macro_f1"),
                    info=info,
                )
        except IntegrityError:
            continue
        if activate:
            classifier_activate(version=version)
            row.refresh_from_db()
        return row
    raise InvalidInput(_("Another training finished at the same time; run the training again."))


def classifier_activate(*, version: int) -> ClassifierModel:
    """Make one version the active one (every server picks it up within the recheck interval)."""
    with transaction.atomic():
        row = ClassifierModel.objects.select_for_update().filter(version=version).first()
        if row is None:
            raise InvalidInput(_("There is no classifier version %(v)s.") % {"v": version})
        if not (settings.DATA_DIR / row.file).is_file():
            raise InvalidInput(
                _("The file of version %(v)s is missing: %(f)s.") % {"v": version, "f": row.file}
            )
        ClassifierModel.objects.filter(is_active=True).exclude(pk=row.pk).update(is_active=False)
        ClassifierModel.objects.filter(pk=row.pk).update(is_active=True, activated_at=clock.now())
    _cache.forget()
    row.refresh_from_db()
    return row


def classifier_deactivate() -> None:
    """Switch the suggestion off everywhere (no version active)."""
    ClassifierModel.objects.filter(is_active=True).update(is_active=False)
    _cache.forget()


# Serving -------------------------------------------------------------------------------------------


class _ActiveModel:
    """The active classifier of this process, re-checked against the database now and then."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._checked = float("-inf")
        self._key: tuple | None = None
        self._loaded: tuple[ClassifierModel, method.Classifier] | None = None
        self.problem = ""  # why the active version could not be loaded on this server

    def forget(self) -> None:
        with self._lock:
            self._checked = float("-inf")

    def get(self) -> tuple[ClassifierModel, method.Classifier] | None:
        now = time.monotonic()
        if now - self._checked < settings.MINYI_CLASSIFIER_RECHECK_SECONDS:
            return self._loaded
        row = ClassifierModel.objects.filter(is_active=True).first()
        key = (row.pk, row.version, row.file, str(settings.DATA_DIR)) if row else None
        if key != self._key:
            loaded, problem = None, ""
            if row:
                try:
                    loaded = (row, method.load(settings.DATA_DIR / row.file))
                except method.TrainingError as exc:  # a file of an earlier format: train again
                    log.error("category classifier v%s (%s) cannot be used: %s", row.version, row.file, exc)
                    problem = _(
                        "Category suggestion is off: the model v%(version)s was made by an earlier "
                        "version of minyi; train it again (minyi classifier train --from-db)."
                    ) % {"version": row.version}
                except Exception as exc:  # a missing or broken file must not break intake pages
                    log.error("category classifier v%s (%s) cannot be loaded: %s", row.version, row.file, exc)
                    problem = _(
                        "The category model v%(version)s cannot be read on this server (%(file)s in the "
                        "data directory): the suggestion is off until it is there."
                    ) % {"version": row.version, "file": row.file}
            with self._lock:
                self._key, self._loaded, self.problem = key, loaded, problem
        self._checked = now
        return self._loaded


_cache = _ActiveModel()


@dataclass(frozen=True)
class Proposal:
    category: Category
    confidence: float  # 0–1
    routing: Routing | None  # where the routing catalogue sends it (with the case's area)


@dataclass(frozen=True)
class Suggestion:
    proposals: list[Proposal]
    off_reason: str  # why the suggestion is off ("" when it is on)
    version: int | None = None
    unsure: str = ""  # on, but no category is confident enough to show: says so

    @property
    def is_on(self) -> bool:
        return not self.off_reason


def off_reason() -> str:
    """Why no classifier is active: too little history, or simply not trained yet."""
    minimum = settings.MINYI_CLASSIFIER_MIN_CASES
    # Counting stops at the minimum: this runs on page views, and a city has millions of cases.
    handled = (
        Case.objects.filter(replied_at__isnull=False, category__isnull=False).values("pk")[:minimum].count()
    )
    if handled < minimum:
        return _(
            "Category suggestion is off: %(n)d handled cases so far, it learns from at least %(min)d."
        ) % {"n": handled, "min": minimum}
    return _("Category suggestion is off: no model is trained yet (minyi classifier train --from-db).")


def suggest(*, title: str, description: str, area: Area | None = None) -> Suggestion:
    """The likeliest categories of a demand with their confidence and the routing each implies."""
    active = _cache.get()
    if active is None:
        return Suggestion([], _cache.problem or off_reason())
    row, trained = active
    value = case_text(title, description)
    if len(value) < 4:
        return Suggestion(
            [], _("Type the demand first: the suggestion reads the title and description."), row.version
        )
    ranked = trained.top(value, TOP)
    categories = {
        c.code: c for c in Category.objects.filter(code__in=[code for code, _p in ranked], is_active=True)
    }
    # Only categories the district still uses, and of those only what is confident: no suggestion
    # rather than a wrong one (a category taken out of use does not hand its place to a weak second).
    shown = trained.shown([(code, p) for code, p in ranked if code in categories])
    proposals = [
        Proposal(categories[code], confidence, routing_for(category=categories[code], area=area))
        for code, confidence in shown
    ]
    unsure = (
        ""
        if proposals
        else _("No category suggested: the model is not sure about this demand; choose the category.")
    )
    return Suggestion(proposals, "", row.version, unsure)


def suggestion_for_case(case: Case) -> Suggestion:
    """The suggestion for a registered case, stored the first time it is made."""
    suggestion = suggest(title=case.title, description=case.description, area=case.area)
    if suggestion.is_on and suggestion.proposals:
        record(case, suggestion)
    return suggestion


def record(case: Case, suggestion: Suggestion) -> None:
    """Keep the first suggestion made for a case (later ones do not replace it)."""
    row = ClassifierModel.objects.filter(version=suggestion.version).first()
    if row is None or CategorySuggestion.objects.filter(case=case).exists():
        return
    try:
        with transaction.atomic():
            CategorySuggestion.objects.create(
                case=case,
                model=row,
                suggested=[
                    {"code": p.category.code, "confidence": round(p.confidence, 4)}
                    for p in suggestion.proposals
                ],
                top_code=suggestion.proposals[0].category.code,
                created_at=clock.now(),
            )
    except IntegrityError:  # shown to two people at once: the first one stays
        pass


# Accuracy in production ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Accuracy:
    judged: int  # suggestions whose case has been assigned
    top1: int
    top3: int

    @property
    def top1_rate(self) -> float | None:
        return self.top1 / self.judged if self.judged else None

    @property
    def top3_rate(self) -> float | None:
        return self.top3 / self.judged if self.judged else None


def accuracy_in_production(*, since=None) -> Accuracy:
    """How often the first (and any of the three) suggestions matched the dispatcher's final choice:
    the case's category once it was assigned. A suggestion of a parent category counts as right when
    the case ends in that branch (the model learned the branch, not the leaf)."""
    rows = CategorySuggestion.objects.filter(case__assigned_at__isnull=False, case__category__isnull=False)
    if since is not None:
        rows = rows.filter(created_at__gte=since)
    paths = dict(Category.objects.values_list("code", "path"))
    judged = top1 = top3 = 0
    for suggested, final_path in rows.values_list("suggested", "case__category__path").iterator():
        judged += 1
        hits = [final_path.startswith(paths.get(item["code"], "\0")) for item in suggested]
        top1 += bool(hits and hits[0])
        top3 += any(hits)
    return Accuracy(judged, top1, top3)
