"""Workflows, their immutable versions, folders and tags, in SQL."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Select, and_, bindparam, delete, func, select
from sqlalchemy.orm import Session

from mwo.spec import Workflow
from mwo.store.abc import WorkflowStore
from mwo.store.errors import InvalidInput, NotFound
from mwo.store.records import FolderRecord, RunLease, VersionRecord, WorkflowRecord
from mwo.store.rules_workflows import LIST_WORKFLOWS_FIX, normalise_folder, normalise_tag
from mwo.store.sql_common import (
    SqlBase,
    insert_or_get,
    latest_version_number,
    to_version,
    to_workflow,
    workflow_row,
)
from mwo.store.sql_run_rows import hold_lease
from mwo.store.tables import FolderRow, TagRow, VersionRow, WorkflowRow, workflow_tags

# A version by workflow name in one statement, columns in VersionRecord's order (built once: it is
# on the path of every run).
_VERSION_BY_NAME = (
    select(
        VersionRow.id,
        VersionRow.workflow_id,
        WorkflowRow.name,
        VersionRow.number,
        VersionRow.spec_yaml,
        VersionRow.content_hash,
        VersionRow.message,
        VersionRow.created_at,
    )
    .join(WorkflowRow, VersionRow.workflow_id == WorkflowRow.id)
    .where(WorkflowRow.name == bindparam("name"))
)
_LATEST_VERSION_BY_NAME = _VERSION_BY_NAME.order_by(VersionRow.number.desc()).limit(1)
_VERSION_BY_NAME_AND_NUMBER = _VERSION_BY_NAME.where(VersionRow.number == bindparam("number"))
_LATEST_NUMBERS = (
    select(VersionRow.workflow_id, func.max(VersionRow.number).label("number"))
    .group_by(VersionRow.workflow_id)
    .subquery()
)
_LATEST_VERSION_IDS = (
    select(WorkflowRow.name, VersionRow.id)
    .join(VersionRow, VersionRow.workflow_id == WorkflowRow.id)
    .join(
        _LATEST_NUMBERS,
        and_(
            _LATEST_NUMBERS.c.workflow_id == VersionRow.workflow_id,
            _LATEST_NUMBERS.c.number == VersionRow.number,
        ),
    )
    .order_by(WorkflowRow.name)
)
_LATEST_VERSION_IDS_ENABLED = _LATEST_VERSION_IDS.where(WorkflowRow.enabled.is_(True))


class SqlWorkflowStore(SqlBase, WorkflowStore):
    """Workflows and versions. Saving locks the workflow row so two saves cannot take one number."""

    def save_version(
        self, workflow: Workflow, spec_yaml: str, message: str = "", *, lease: RunLease | None = None
    ) -> tuple[VersionRecord, bool]:
        now = self._clock()
        content_hash = workflow.content_hash()
        with self._db.session_scope() as session:
            row = session.scalars(
                select(WorkflowRow).where(WorkflowRow.name == workflow.name).with_for_update(of=WorkflowRow)
            ).one_or_none()
            if row is None:
                candidate = WorkflowRow(
                    name=workflow.name,
                    description=workflow.description,
                    enabled=True,
                    created_at=now,
                    updated_at=now,
                )
                lookup = select(WorkflowRow).where(WorkflowRow.name == workflow.name)
                row, _ = insert_or_get(session, candidate, lookup)
            if lease is not None:
                # After the workflow's lock, as deleting a workflow locks it before its runs; the
                # run row is share-locked until commit: a takeover waits for this save or refuses it.
                hold_lease(session.connection(), lease)
            latest = session.scalars(
                select(VersionRow)
                .where(VersionRow.workflow_id == row.id)
                .order_by(VersionRow.number.desc())
                .limit(1)
            ).one_or_none()
            if latest is not None and latest.content_hash == content_hash:
                return to_version(latest), False
            version = VersionRow(
                workflow=row,
                number=(latest.number if latest is not None else 0) + 1,
                spec_yaml=spec_yaml,
                content_hash=content_hash,
                message=message,
                created_at=now,
            )
            session.add(version)
            row.description = workflow.description
            row.updated_at = now
            session.flush()
            return to_version(version), True

    def get_workflow(self, name: str) -> WorkflowRecord:
        with self._db.session_scope(read_only=True) as session:
            row = workflow_row(session, name)
            return to_workflow(row, latest_version_number(session, row.id))

    def list_workflows(
        self, folder: str | None = None, tag: str | None = None, search: str | None = None
    ) -> list[WorkflowRecord]:
        """Workflows sorted by name; `folder` matches that exact folder (not its sub-folders)."""
        latest = (
            select(func.coalesce(func.max(VersionRow.number), 0))
            .where(VersionRow.workflow_id == WorkflowRow.id)
            .correlate(WorkflowRow)
            .scalar_subquery()
        )
        statement: Select[WorkflowRow, int] = select(WorkflowRow, latest).order_by(WorkflowRow.name)
        if folder is not None:
            folder_ids = select(FolderRow.id).where(FolderRow.path == normalise_folder(folder))
            statement = statement.where(WorkflowRow.folder_id.in_(folder_ids))
        if tag is not None:
            tagged = (
                select(workflow_tags.c.workflow_id)
                .join(TagRow, TagRow.id == workflow_tags.c.tag_id)
                .where(TagRow.name == tag.strip())
            )
            statement = statement.where(WorkflowRow.id.in_(tagged))
        if search:
            statement = statement.where(
                WorkflowRow.name.icontains(search, autoescape=True)
                | WorkflowRow.description.icontains(search, autoescape=True)
            )
        with self._db.session_scope(read_only=True) as session:
            return [to_workflow(row, number) for row, number in session.execute(statement)]

    def get_version(self, name: str, number: int | None = None) -> VersionRecord:
        """One indexed query on the hot path (every run starts here); the error path looks closer."""
        statement, params = (
            (_LATEST_VERSION_BY_NAME, {"name": name})
            if number is None
            else (_VERSION_BY_NAME_AND_NUMBER, {"name": name, "number": number})
        )
        with self._db.connection_scope(read_only=True) as connection:
            found = connection.execute(statement, params).one_or_none()
        if found is not None:
            return VersionRecord(*found)
        with self._db.session_scope(read_only=True) as session:
            workflow = workflow_row(session, name)  # NotFound for an unknown workflow
            latest = latest_version_number(session, workflow.id)
            raise NotFound(
                f"workflow {name!r} has no version {number}",
                fix=f"choose a version from 1 to {latest}" if latest else "save a version first",
            )

    def get_version_by_id(self, version_id: int) -> VersionRecord:
        with self._db.session_scope(read_only=True) as session:
            version = session.get(VersionRow, version_id)
            if version is None:
                raise NotFound(
                    f"no workflow version with id {version_id}",
                    fix="the version may have been deleted with its workflow; " + LIST_WORKFLOWS_FIX,
                )
            return to_version(version)

    def list_versions(self, name: str) -> list[VersionRecord]:
        with self._db.session_scope(read_only=True) as session:
            workflow = workflow_row(session, name)
            versions = session.scalars(
                select(VersionRow).where(VersionRow.workflow_id == workflow.id).order_by(VersionRow.number)
            )
            return [to_version(version) for version in versions]

    def list_latest_version_ids(self, enabled_only: bool = True) -> dict[str, int]:
        statement = _LATEST_VERSION_IDS_ENABLED if enabled_only else _LATEST_VERSION_IDS
        with self._db.connection_scope(read_only=True) as connection:
            return {name: version_id for name, version_id in connection.execute(statement)}

    def set_enabled(self, name: str, enabled: bool) -> WorkflowRecord:
        with self._db.session_scope() as session:
            row = workflow_row(session, name, for_update=True)
            if row.enabled != enabled:
                row.enabled = enabled
                row.updated_at = self._clock()
            return self._refreshed(session, row)

    def delete_workflow(self, name: str) -> None:
        """Delete the row; the database cascades to versions, runs, step runs, logs and approvals."""
        with self._db.session_scope() as session:
            row = workflow_row(session, name, for_update=True)
            session.execute(
                delete(WorkflowRow).where(WorkflowRow.id == row.id),
                execution_options={"synchronize_session": False},
            )
            session.expunge(row)

    def move_to_folder(self, name: str, folder: str | None) -> WorkflowRecord:
        with self._db.session_scope() as session:
            row = workflow_row(session, name, for_update=True)
            row.folder = None if folder is None else _ensure_folder(session, normalise_folder(folder))
            row.updated_at = self._clock()
            return self._refreshed(session, row)

    def list_folders(self) -> list[FolderRecord]:
        with self._db.session_scope(read_only=True) as session:
            folders = session.scalars(select(FolderRow).order_by(FolderRow.path))
            return [FolderRecord(id=folder.id, path=folder.path) for folder in folders]

    def tag_workflow(self, name: str, add: Sequence[str] = (), remove: Sequence[str] = ()) -> WorkflowRecord:
        """Tags are stripped of surrounding spaces; naming one tag in both `add` and `remove` is a
        ValueError (InvalidInput), since either order of applying them would surprise someone."""
        to_add = {normalise_tag(tag) for tag in add}
        to_remove = {normalise_tag(tag) for tag in remove}
        if both := to_add & to_remove:
            raise InvalidInput(
                f"tags both added and removed: {', '.join(sorted(both))}",
                fix="name each tag either to add or to remove",
            )
        with self._db.session_scope() as session:
            row = workflow_row(session, name, for_update=True)
            present = {tag.name for tag in row.tags}
            for tag_name in sorted(to_add - present):
                tag, _ = insert_or_get(
                    session, TagRow(name=tag_name), select(TagRow).where(TagRow.name == tag_name)
                )
                row.tags.append(tag)
            row.tags = sorted(
                (tag for tag in row.tags if tag.name not in to_remove), key=lambda tag: tag.name
            )
            row.updated_at = self._clock()
            return self._refreshed(session, row)

    @staticmethod
    def _refreshed(session: Session, row: WorkflowRow) -> WorkflowRecord:
        session.flush()
        return to_workflow(row, latest_version_number(session, row.id))


def _ensure_folder(session: Session, path: str) -> FolderRow:
    """The folder at `path`, creating it and its missing parents so every level can be listed."""
    parts = path.split("/")
    folder: FolderRow | None = None
    for depth in range(1, len(parts) + 1):
        prefix = "/".join(parts[:depth])
        lookup = select(FolderRow).where(FolderRow.path == prefix)
        folder = session.scalars(lookup).one_or_none()
        if folder is None:
            folder, _ = insert_or_get(session, FolderRow(path=prefix), lookup)
    assert folder is not None  # a normalised path has at least one part
    return folder
