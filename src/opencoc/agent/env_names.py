"""Which parameter names a SHELL script may receive in its environment.

A SHELL script gets each parameter as an environment variable of that name. A name that the
shell, the dynamic loader, libc or a program the script commonly runs reads from its environment
would let whoever picks the value (any user allowed to execute the script) change how the script
runs: `PATH`, `IFS`, `ENV`, `LD_PRELOAD`, `PYTHONSTARTUP`... The server refuses such names when a
script is created or modified; the agent refuses them again for scripts stored before the rule.
The agent depends on the standard library only, so the server imports this module, not the reverse.
"""

import re

# Matched against the whole name (fullmatch) and case-sensitively, as the environment is; the
# lower-case spellings that programs read (curl's `http_proxy`) are listed as such.
_DENIED = (
    # set by the agent for every script
    r"PATH|HOME|USER|LOGNAME|SHELL|LANG|LANGUAGE|LC_\w+|OPENCOC_\w+",
    # POSIX sh, dash, and bash (which a script may start: a non-interactive bash runs $BASH_ENV)
    r"IFS|ENV|BASH\w*|CDPATH|PS[0-4]|PPID|PWD|OLDPWD|OPTIND|OPTARG|LINENO|RANDOM|SECONDS|MAIL|MAILPATH|MAILCHECK",
    r"HISTFILE|HISTSIZE|HISTCONTROL|HISTTIMEFORMAT|FCEDIT|POSIXLY_CORRECT|SHELLOPTS|GLOBIGNORE|GLOBSORT",
    r"PROMPT_COMMAND|EXECIGNORE|TMOUT|FUNCNEST|INPUTRC|HOSTFILE|COMP_\w+|SHLVL|_|TERM|TERMINFO|TERMCAP",
    r"TMPDIR|TZ|TZDIR",
    # the dynamic loader and glibc
    r"LD_\w+|GCONV_PATH|GETCONF_DIR|GLIBC_TUNABLES|HOSTALIASES|LOCALDOMAIN|LOCPATH|MALLOC_\w+|NLSPATH",
    r"NIS_PATH|RES_OPTIONS|RESOLV_\w+|LIBC_FATAL_STDERR_|MEMUSAGE_\w+|SEGFAULT_\w+",
    # interpreters, package tools and programs that run commands or load code named in a variable
    r"PYTHON\w*|PERL\w*|RUBY\w*|GEM_\w+|BUNDLE_\w+|NODE_\w+|NPM_CONFIG_\w+|JAVA_TOOL_OPTIONS|_JAVA_OPTIONS",
    r"JDK_JAVA_OPTIONS|CLASSPATH|LUA_\w+|TCLLIBPATH|PHPRC|PHP_INI_SCAN_DIR|GIT_\w+|SSH_\w+|SUDO_\w+",
    r"OPENSSL_\w+|SSL_CERT_\w+|CURL_\w+|REQUESTS_CA_BUNDLE|WGETRC|APT_CONFIG|DEBCONF_\w+|DPKG_\w+",
    r"SYSTEMD_\w+|PAGER|MANPAGER|MANOPT|EDITOR|VISUAL|BROWSER|LESS\w*|XDG_\w+|DBUS_\w+|DISPLAY|XAUTHORITY",
    r"KRB5\w*|GNUPGHOME|GPG_\w+|MAKEFLAGS|MFLAGS",
    r"(?i:(?:http|https|ftp|all|no|socks|rsync|ws|wss)_proxy)",
)
DENIED = re.compile("|".join(_DENIED))
IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")

NOT_A_VARIABLE = "must be a shell variable name: a letter or _ first, then letters, digits or _"
CHANGES_BEHAVIOUR = (
    "cannot be used by a SHELL script: parameters are exported to the script's environment, and the"
    " shell, the loader or a program the script runs reads this variable (see docs/scripts.md)"
)


def refusal(name: str) -> str | None:
    """Why `name` cannot be a SHELL parameter, or None when it can."""
    if not IDENTIFIER.fullmatch(name):
        return NOT_A_VARIABLE
    if DENIED.fullmatch(name):
        return CHANGES_BEHAVIOUR
    return None
