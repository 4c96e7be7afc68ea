"""Every GraphQL document the Linear connector sends, as module constants.

A test validates each one against Linear's published schema (``shared/linear/schema.graphql``)
and checks, with ``complexity.estimate_complexity`` and the page sizes below, that none can
cost more than Linear's 10,000-point ceiling for a single query.

Why the shapes are what they are:
- Linear charges a nested connection for the ``first`` it asks for, on every issue of the page,
  not for the items it returns, and budgets 3,000,000 points an hour per user (an API key;
  read from the headers at run time, see ``client.py``). So each nested connection inlines
  what nearly every issue needs, and the rare issue with more gets the rest from a follow-up
  ``Issue*Page`` query of its own (``FOLLOW_UP_PAGE`` a page). Without an explicit ``first``
  Linear assumes 50 and the cost multiplies (``issues{comments{...}}`` would be 50 x 50 items).
- Fields the mapping does not read are not asked for: each costs 0.1 per item, on every page.
- ``includeArchived: true`` everywhere it exists, or archived issues and cycles vanish.
- Issues are read newest-last: ``orderBy`` only chooses the field (``createdAt``/``updatedAt``)
  and Linear returns newest first; the only argument with a direction is ``sort``, which the
  schema marks ``[INTERNAL]``. So ``IssuesPage`` pages *backwards* with ``last``/``before``
  from the oldest end, which Relay defines and Linear's docs list, and the connector reverses
  each page: pages then arrive in ascending ``updatedAt`` without buffering the whole result.
- Filters are variables built by pure functions in ``source.py``, so the query for a given
  bookmark is testable without HTTP.
"""

from __future__ import annotations

# Page sizes. The inline sizes cover what ~99% of issues hold, from the 5,000-issue benchmark
# team (history entries and comments: a median of 3 to 4, 1.5% above 8; attachments and relations
# in each direction: 0 or 1, a handful above); about 1 issue in 30 needs a follow-up query, and a
# first sync costs ~130 points an issue instead of ~610 at 25/25/10/10/10. Each item inlined on
# every issue costs ~5,000 x its item price per 5,000 issues; a follow-up costs one request and
# about FOLLOW_UP_PAGE x the item price, for that issue only.
# ISSUE_PAGE x the per-issue cost keeps IssuesPage at about 6,150 points: under Linear's 10,000 a
# query with a third to spare, because the formula for lists that are not connections
# (descriptionUpdatedBy) is undocumented and a page over the ceiling is refused outright.
# An incremental sync starts at INCREMENTAL_PAGE and doubles up to ISSUE_PAGE: the points are
# charged for the page asked for, and a nightly poll usually finds a few issues, or none.
ISSUE_PAGE = 50
INCREMENTAL_PAGE = 10
HISTORY_PAGE = 8
COMMENT_PAGE = 8
ATTACHMENT_PAGE = 1
RELATION_PAGE = 1
LABEL_PAGE = 3
FOLLOW_UP_PAGE = 50
CYCLE_PAGE = 50
TEAM_PAGE = 50
SCAN_PAGE = 100

USER_FIELDS = """
fragment UserFields on User { id name displayName email }
"""

HISTORY_FIELDS = """
fragment HistoryFields on IssueHistory {
  id
  createdAt
  actor { ...UserFields }
  botActor { id name type }
  updatedDescription
  descriptionUpdatedBy { ...UserFields }
  fromCycleId
  toCycleId
  fromEstimate
  toEstimate
}
"""

COMMENT_FIELDS = """
fragment CommentFields on Comment {
  id
  body
  createdAt
  updatedAt
  url
  parentId
  user { ...UserFields }
  botActor { id name type }
  externalUser { id name email }
}
"""

ATTACHMENT_FIELDS = """
fragment AttachmentFields on Attachment {
  id
  url
  title
  subtitle
  sourceType
  createdAt
  creator { ...UserFields }
}
"""

# Labels are inlined on the issue and on the other end of each relation (link_patterns match
# them); an issue with more has the rest read by IssueLabelsPage, whichever end it is.
LABEL_FIELDS = f"""
fragment IssueLabels on Issue {{
  labels(first: {LABEL_PAGE}) {{
    nodes {{ name }}
    pageInfo {{ hasNextPage endCursor }}
  }}
}}
"""

RELATION_FIELDS = """
fragment RelationFields on IssueRelation {
  id
  type
  createdAt
  relatedIssue { id identifier title url ...IssueLabels }
}
"""

INVERSE_RELATION_FIELDS = """
fragment InverseRelationFields on IssueRelation {
  id
  type
  createdAt
  issue { id identifier title url ...IssueLabels }
}
"""

_ISSUE_EVIDENCE = f"""
fragment IssueEvidence on Issue {{
  id
  identifier
  title
  description
  url
  createdAt
  updatedAt
  addedToCycleAt
  estimate
  cycle {{ id }}
  state {{ name }}
  creator {{ ...UserFields }}
  ...IssueLabels
  history(first: {HISTORY_PAGE}) {{
    nodes {{ ...HistoryFields }}
    pageInfo {{ hasNextPage endCursor }}
  }}
  comments(first: {COMMENT_PAGE}, includeArchived: true) {{
    nodes {{ ...CommentFields }}
    pageInfo {{ hasNextPage endCursor }}
  }}
  attachments(first: {ATTACHMENT_PAGE}) {{
    nodes {{ ...AttachmentFields }}
    pageInfo {{ hasNextPage endCursor }}
  }}
  relations(first: {RELATION_PAGE}) {{
    nodes {{ ...RelationFields }}
    pageInfo {{ hasNextPage endCursor }}
  }}
  inverseRelations(first: {RELATION_PAGE}) {{
    nodes {{ ...InverseRelationFields }}
    pageInfo {{ hasNextPage endCursor }}
  }}
}}
"""

ISSUE_EVIDENCE_FRAGMENTS = (
    _ISSUE_EVIDENCE
    + USER_FIELDS
    + HISTORY_FIELDS
    + COMMENT_FIELDS
    + ATTACHMENT_FIELDS
    + LABEL_FIELDS
    + RELATION_FIELDS
    + INVERSE_RELATION_FIELDS
)

VIEWER = """
query Viewer {
  viewer { id name displayName email }
}
"""

# Asked by `doctor` alone: a key acts as its user, so an admin's key can do what an admin can.
VIEWER_ROLE = """
query ViewerRole {
  viewer { id admin }
}
"""

TEAMS = """
query Teams($keys: [String!]!, $first: Int!) {
  teams(first: $first, filter: { key: { in: $keys } }) {
    nodes { id key name cyclesEnabled }
  }
}
"""

CYCLES = """
query Cycles($filter: CycleFilter!, $first: Int!, $after: String) {
  cycles(first: $first, after: $after, filter: $filter, includeArchived: true) {
    nodes {
      id
      number
      name
      startsAt
      endsAt
      completedAt
      isActive
      isFuture
      isPast
      team { id key }
    }
    pageInfo { hasNextPage endCursor }
  }
}
"""

# Backwards from the oldest end: see the module docstring.
ISSUES_PAGE = (
    """
query IssuesPage($filter: IssueFilter!, $last: Int!, $before: String) {
  issues(last: $last, before: $before, filter: $filter, orderBy: updatedAt, includeArchived: true) {
    nodes { ...IssueEvidence }
    pageInfo { hasPreviousPage startCursor }
  }
}
"""
    + ISSUE_EVIDENCE_FRAGMENTS
)

ISSUES_BY_ID = (
    """
query IssuesById($ids: [ID!]!, $first: Int!) {
  issues(first: $first, filter: { id: { in: $ids } }, includeArchived: true) {
    nodes { ...IssueEvidence }
  }
}
"""
    + ISSUE_EVIDENCE_FRAGMENTS
)

# Whether a new comment or attachment bumps the issue's updatedAt is undocumented, so these
# find issues whose discussion moved while the issue itself did not: the first page of both
# in one request (a quiet night needs no second), then each one's further pages on its own.
DISCUSSION_SINCE = """
query DiscussionSince(
  $comments: CommentFilter!, $attachments: AttachmentFilter!, $first: Int!
) {
  comments(first: $first, filter: $comments, includeArchived: true) {
    nodes { id issue { id updatedAt } }
    pageInfo { hasNextPage endCursor }
  }
  attachments(first: $first, filter: $attachments, includeArchived: true) {
    nodes { id issue { id updatedAt team { key } } }
    pageInfo { hasNextPage endCursor }
  }
}
"""

COMMENTS_SINCE = """
query CommentsSince($filter: CommentFilter!, $first: Int!, $after: String) {
  comments(first: $first, after: $after, filter: $filter, includeArchived: true) {
    nodes { id issue { id updatedAt } }
    pageInfo { hasNextPage endCursor }
  }
}
"""

# AttachmentFilter cannot filter by issue or team: the team is checked client-side.
ATTACHMENTS_SINCE = """
query AttachmentsSince($filter: AttachmentFilter!, $first: Int!, $after: String) {
  attachments(first: $first, after: $after, filter: $filter, includeArchived: true) {
    nodes { id issue { id updatedAt team { key } } }
    pageInfo { hasNextPage endCursor }
  }
}
"""


def _issue_connection_page(
    operation: str, connection: str, nodes: str, *fragments: str, args: str = ""
) -> str:
    """The follow-up query for one issue's overflow: the next page of one of its
    connections (the rare issue with more than the nested page held)."""
    return f"""
query {operation}($id: String!, $first: Int!, $after: String) {{
  issue(id: $id) {{
    id
    {connection}(first: $first, after: $after{args}) {{
      nodes {{ {nodes} }}
      pageInfo {{ hasNextPage endCursor }}
    }}
  }}
}}
""" + "".join(fragments)


ISSUE_HISTORY_PAGE = _issue_connection_page(
    "IssueHistoryPage", "history", "...HistoryFields", HISTORY_FIELDS, USER_FIELDS
)
ISSUE_COMMENTS_PAGE = _issue_connection_page(
    "IssueCommentsPage",
    "comments",
    "...CommentFields",
    COMMENT_FIELDS,
    USER_FIELDS,
    args=", includeArchived: true",
)
ISSUE_ATTACHMENTS_PAGE = _issue_connection_page(
    "IssueAttachmentsPage", "attachments", "...AttachmentFields", ATTACHMENT_FIELDS, USER_FIELDS
)
ISSUE_RELATIONS_PAGE = _issue_connection_page(
    "IssueRelationsPage", "relations", "...RelationFields", RELATION_FIELDS, LABEL_FIELDS
)
ISSUE_INVERSE_RELATIONS_PAGE = _issue_connection_page(
    "IssueInverseRelationsPage",
    "inverseRelations",
    "...InverseRelationFields",
    INVERSE_RELATION_FIELDS,
    LABEL_FIELDS,
)
ISSUE_LABELS_PAGE = _issue_connection_page("IssueLabelsPage", "labels", "name")

# Operation name -> (document, the variables the connector pages with). The tests validate
# and price every entry; a document missing here fails the "every constant is listed" test.
DOCUMENTS: dict[str, tuple[str, dict[str, object]]] = {
    "Viewer": (VIEWER, {}),
    "ViewerRole": (VIEWER_ROLE, {}),
    "Teams": (TEAMS, {"keys": ["ENG"], "first": TEAM_PAGE}),
    "Cycles": (CYCLES, {"filter": {}, "first": CYCLE_PAGE}),
    "IssuesPage": (ISSUES_PAGE, {"filter": {}, "last": ISSUE_PAGE}),
    "IssuesById": (ISSUES_BY_ID, {"ids": ["x"], "first": ISSUE_PAGE}),
    "DiscussionSince": (
        DISCUSSION_SINCE,
        {"comments": {}, "attachments": {}, "first": SCAN_PAGE},
    ),
    "CommentsSince": (COMMENTS_SINCE, {"filter": {}, "first": SCAN_PAGE}),
    "AttachmentsSince": (ATTACHMENTS_SINCE, {"filter": {}, "first": SCAN_PAGE}),
    "IssueHistoryPage": (ISSUE_HISTORY_PAGE, {"id": "x", "first": FOLLOW_UP_PAGE}),
    "IssueCommentsPage": (ISSUE_COMMENTS_PAGE, {"id": "x", "first": FOLLOW_UP_PAGE}),
    "IssueAttachmentsPage": (ISSUE_ATTACHMENTS_PAGE, {"id": "x", "first": FOLLOW_UP_PAGE}),
    "IssueRelationsPage": (ISSUE_RELATIONS_PAGE, {"id": "x", "first": FOLLOW_UP_PAGE}),
    "IssueInverseRelationsPage": (
        ISSUE_INVERSE_RELATIONS_PAGE,
        {"id": "x", "first": FOLLOW_UP_PAGE},
    ),
    "IssueLabelsPage": (ISSUE_LABELS_PAGE, {"id": "x", "first": FOLLOW_UP_PAGE}),
}
