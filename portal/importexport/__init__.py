"""Spreadsheets in and out of the Wagtail admin, through django-import-export.

Neither Wagtail nor django-import-export ships an integration for the other; this is ours, and
every app uses it the same way (see docs/importexport.md):

- `PortalResource`: the base for each app's `ModelResource`. It knows the user who imports, keeps
  every row inside that user's scope (portal.scoping) and permissions, and turns lookup and
  parsing failures into translated, field-level messages.
- `ImportExportViewSetMixin`: put it before `ModelViewSet` / `SnippetViewSet` and set
  `import_resource_class` / `export_resource_class`. The listing gets Import and Export buttons;
  export writes exactly the scoped, filtered and searched listing as xlsx or csv; import uploads a
  file, runs it as a dry run, previews the rows and every bad row's number, column and reason, and
  imports for real only on confirmation, re-validating the stored file.

All or nothing: an import runs in one transaction that is rolled back when any row is invalid
or fails, so a file with a bad row writes nothing.

Every upload, the back office's and a donor's pledge spreadsheet, comes in through `files`:
`read_upload` (type and size), `read_dataset` (encoding, row cap, headers), `run_import` and
`describe_problems` (row number, column and reason).

The package: `resources` (PortalResource and widgets), `files` (reading, importing, problems,
the upload stash), `exports` (every export's xlsx/csv bytes, with formulas neutralised and
numbers and dates typed), `views` (the Wagtail views and the viewset mixin).
"""

from .exports import spreadsheet_bytes, spreadsheet_response
from .files import (
    FORMATS,
    ImportFileError,
    RowProblem,
    describe_problems,
    import_failed,
    read_dataset,
    read_upload,
    run_import,
)
from .resources import (
    ChoiceWidget,
    IntegerWidget,
    LookupWidget,
    PortalResource,
    TextWidget,
    YesNoWidget,
    cell_text,
    instance_in_scope,
)
from .views import (
    ExportViewMixin,
    ImportExportIndexViewMixin,
    ImportExportViewSetMixin,
    ImportPreviewView,
    ImportView,
)

__all__ = [
    "FORMATS",
    "ChoiceWidget",
    "ExportViewMixin",
    "ImportExportIndexViewMixin",
    "ImportExportViewSetMixin",
    "ImportFileError",
    "ImportPreviewView",
    "ImportView",
    "IntegerWidget",
    "LookupWidget",
    "PortalResource",
    "RowProblem",
    "TextWidget",
    "YesNoWidget",
    "cell_text",
    "describe_problems",
    "import_failed",
    "instance_in_scope",
    "read_dataset",
    "read_upload",
    "run_import",
    "spreadsheet_bytes",
    "spreadsheet_response",
]
