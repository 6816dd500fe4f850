"""Materialised paths for the small trees of minyi (areas, units, categories).

Each node stores `path`, its ancestors' ids and its own as "/1/5/23/", so "X and everything under X"
is one indexed prefix query (`path__startswith=x.path`). The trees hold hundreds of nodes and change
rarely, so a parent FK plus this path is all we need; a tree library would bring its own node
creation API and admin forms for no gain here.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models.functions import Concat, Length, Substr
from django.utils.translation import gettext_lazy as _


def path_ids(path: str) -> list[int]:
    """The ids of a materialised path, root first: "/1/5/23/" → [1, 5, 23]."""
    return [int(part) for part in (path or "").strip("/").split("/") if part]


class TreeNode(models.Model):
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
        verbose_name=_("parent"),
    )
    path = models.CharField(max_length=255, db_index=True, editable=False, default="")
    depth = models.PositiveSmallIntegerField(editable=False, default=1)

    max_depth: int | None = None

    class Meta:
        abstract = True

    def clean(self) -> None:
        super().clean()
        if self.parent_id is None:
            return
        ancestor = self.parent
        while ancestor is not None:
            if self.pk is not None and ancestor.pk == self.pk:
                raise ValidationError(
                    {"parent": _("A node cannot be placed under itself or its own descendant.")}
                )
            ancestor = ancestor.parent
        if self.max_depth is not None and self.parent.depth + 1 > self.max_depth:
            raise ValidationError(
                {"parent": _("The tree allows at most %(n)d levels.") % {"n": self.max_depth}}
            )

    def save(self, *args, **kwargs) -> None:
        with transaction.atomic():
            old_path = self.path
            if self.pk is None:
                super().save(*args, **kwargs)
                kwargs.pop("force_insert", None)
            self.depth = (self.parent.depth + 1) if self.parent_id else 1
            self.path = f"{self.parent.path if self.parent_id else '/'}{self.pk}/"
            super().save(*args, **{**kwargs, "force_insert": False})
            if old_path and old_path != self.path:
                # Moved: rewrite the descendants' paths (prefix swap) and depths in one statement.
                shift = self.path.count("/") - old_path.count("/")
                type(self).objects.filter(path__startswith=old_path).exclude(pk=self.pk).update(
                    path=Concat(models.Value(self.path), Substr("path", len(old_path) + 1, Length("path"))),
                    depth=models.F("depth") + shift,
                )

    def ancestor_ids(self) -> list[int]:
        return path_ids(self.path)

    @classmethod
    def ancestors_at(cls, depth: int) -> dict[int, int]:
        """{node id: id of its ancestor at `depth`} for every node at that depth or below (one query
        over the whole tree, for adding counts up to a level)."""
        found = {}
        for pk, path in cls.objects.values_list("pk", "path"):
            ids = path_ids(path)
            if len(ids) >= depth:
                found[pk] = ids[depth - 1]
        return found

    def subtree(self) -> models.QuerySet:
        return type(self).objects.filter(path__startswith=self.path)

    def is_within(self, other: TreeNode) -> bool:
        """True if self is `other` or one of its descendants."""
        return self.path.startswith(other.path)
