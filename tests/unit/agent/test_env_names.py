"""SHELL parameters are environment variables: names the shell or the loader reads are refused."""

import pytest

from opencoc.agent.env_names import CHANGES_BEHAVIOUR, NOT_A_VARIABLE, refusal


@pytest.mark.parametrize(
    "name",
    [
        "PATH",
        "IFS",
        "ENV",
        "BASH_ENV",
        "CDPATH",
        "HOME",
        "SHELL",
        "PS1",
        "PS2",
        "PS4",
        "PPID",
        "PWD",
        "OPTIND",
        "LINENO",
        "SHELLOPTS",
        "BASHOPTS",
        "PROMPT_COMMAND",
        "GLOBIGNORE",
        "_",
        "TMPDIR",
        "TZ",
        "LANG",
        "LANGUAGE",
        "LC_ALL",
        "LC_CTYPE",
        "USER",
        "LOGNAME",
        "OPENCOC_TASK_ID",
        "OPENCOC_X",
        "LD_PRELOAD",
        "LD_LIBRARY_PATH",
        "LD_AUDIT",
        "GCONV_PATH",
        "GLIBC_TUNABLES",
        "MALLOC_CHECK_",
        "LOCPATH",
        "NLSPATH",
        "HOSTALIASES",
        "RES_OPTIONS",
        "PYTHONPATH",
        "PYTHONSTARTUP",
        "PYTHONHOME",
        "PYTHONINSPECT",
        "PERL5OPT",
        "PERL5LIB",
        "PERLLIB",
        "RUBYOPT",
        "RUBYLIB",
        "NODE_OPTIONS",
        "JAVA_TOOL_OPTIONS",
        "_JAVA_OPTIONS",
        "CLASSPATH",
        "LUA_INIT",
        "GIT_SSH_COMMAND",
        "GIT_EXEC_PATH",
        "SSH_ASKPASS",
        "SUDO_ASKPASS",
        "OPENSSL_CONF",
        "CURL_HOME",
        "APT_CONFIG",
        "PAGER",
        "EDITOR",
        "VISUAL",
        "LESSOPEN",
        "SYSTEMD_PAGER",
        "XDG_CONFIG_HOME",
        "http_proxy",
        "HTTPS_PROXY",
        "https_proxy",
        "ALL_PROXY",
        "no_proxy",
        "ftp_proxy",
    ],
)
def test_a_name_that_changes_how_the_script_runs_is_refused(name: str) -> None:
    assert refusal(name) == CHANGES_BEHAVIOUR


@pytest.mark.parametrize("name", ["1abc", "9", "a-b", "a b", "a\n", "", "ä"])
def test_a_name_that_is_not_a_shell_variable_is_refused(name: str) -> None:
    assert refusal(name) == NOT_A_VARIABLE


@pytest.mark.parametrize(
    "name",
    [
        "greeting",
        "name",
        "path",
        "home",
        "MY_PATH",
        "PATHS",
        "dir",
        "_x",
        "user_name",
        "python_version",
        "LD",
        "web_proxy",
        "envname",
        "Home",
    ],
)
def test_ordinary_names_are_allowed(name: str) -> None:
    assert refusal(name) is None
