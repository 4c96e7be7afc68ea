from datetime import timedelta
from pathlib import Path

import pytest

from tracker.config import TEMPLATE, load_config, parse_config
from tracker.errors import ConfigError
from tracker.policy import Policy

GOOD = """
database = "sqlite:///t.db"
[[source]]
name = "acme-jira"
type = "jira"
url = "https://acme.atlassian.net"
email = "pm@acme.com"
token_env = "JIRA_API_TOKEN"
boards = [7]
[[source]]
name = "acme-linear"
type = "linear"
token_env = "LINEAR_API_KEY"
teams = ["ENG"]
[policy]
engineers = ["alice@acme.com"]
window_before = "1d"
burst = "5m"
"""
ENV = {"JIRA_API_TOKEN": "secret-jira-value", "LINEAR_API_KEY": "lin_api_secretvalue"}


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "tracker.toml"
    path.write_text(text)
    return path


def test_good_config_resolves_tokens_as_secrets(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, GOOD), ENV)
    jira, linear = config.source
    assert jira.token is not None and jira.token.get_secret_value() == "secret-jira-value"
    assert "secret-jira-value" not in repr(config) and "secret-jira-value" not in str(config)
    assert linear.url == "https://api.linear.app/graphql"
    assert config.policy.window_before == timedelta(days=1)
    assert config.policy.window_after == timedelta(days=2)
    assert config.policy.burst == timedelta(minutes=5)


def test_database_env_overrides_file(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, GOOD), {**ENV, "TRACKER_DATABASE_URL": "postgresql://x/y"})
    assert config.database == "postgresql://x/y"


def test_config_found_through_env(tmp_path: Path) -> None:
    path = write(tmp_path, GOOD)
    assert load_config(None, {**ENV, "TRACKER_CONFIG": str(path)}).path == path


def test_template_is_valid_config() -> None:
    import tomllib

    config = parse_config(tomllib.loads(TEMPLATE), {"JIRA_API_TOKEN": "x"})
    assert config.source[0].name == "acme-jira"
    assert config.policy == Policy()  # init writes the defaults, and only they exist


def test_policy_is_built_from_the_toml_and_defaults_the_rest(tmp_path: Path) -> None:
    text = GOOD + 'ac_headings = ["Done when"]\nlink_patterns = []\n'
    policy = load_config(write(tmp_path, text), ENV).policy
    assert policy == Policy(
        engineers=("alice@acme.com",),
        window_before=timedelta(days=1),
        burst=timedelta(minutes=5),
        ac_headings=("Done when",),
        link_patterns=(),
    )
    no_table = GOOD[: GOOD.index("[policy]")]
    assert load_config(write(tmp_path, no_table), ENV).policy == Policy()


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (GOOD.replace("boards = [7]", "boards = [7]\nboard = 8"), "unknown key 'source[0].board'"),
        (GOOD + "\nsurprise = 1\n", "unknown key 'policy.surprise'"),
        (GOOD.replace('url = "https://acme.atlassian.net"\n', ""), "missing key 'source[0].url'"),
        (GOOD.replace('type = "jira"', 'type = "asana"'), "source[0]"),
        (GOOD.replace('"1d"', '"one day"'), "use e.g."),
        ("database = ", "is not valid TOML"),
        (
            GOOD.replace('name = "acme-linear"', 'name = "acme-jira"'),
            "two sources are named 'acme-jira'",
        ),
    ],
)
def test_bad_config_is_one_line_saying_what_to_fix(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(ConfigError) as info:
        load_config(write(tmp_path, text), ENV)
    assert message in str(info.value)
    assert "\n" not in str(info.value)
    assert info.value.exit_code == 2


def test_missing_token_names_the_variable(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="environment variable LINEAR_API_KEY is not set"):
        load_config(write(tmp_path, GOOD), {"JIRA_API_TOKEN": "x"})


def test_missing_file_says_run_init(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="tracker init"):
        load_config(tmp_path / "nope.toml", {})
