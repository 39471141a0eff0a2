"""The repository's commands, run from its root as ``python -m tools.<name>`` (the Makefile does).

* ``tools.env``: the kernel config that keeps TensorFlow's C++ log lines out of notebooks (``make venv``);
* ``tools.refresh``: re-execute notebooks in place (``make refresh``, ``make check-drift``);
* ``tools.slides``: offline reveal.js decks of the chapters (``make slides``), with ``templates/`` and
  the vendored browser scripts in ``vendor/``;
* ``tools.readme``: the README's chapter table and wall times (``make readme``);
* ``tools.report_durations``: the per-notebook wall-time table of the last test run (``make timings``);
* ``tools.bench``: the benchmark command (``make bench``) around chapter 17's ``utils.bench``;
* ``tools.student`` and ``tools.autograde`` (shared code in ``tools.grading``): nbgrader's student
  copies (``make student``) and autograding (``make autograde SUBMISSIONS=folder``).

None of it is installed by ``pip install -e .`` (that installs ``utils`` only), and nothing in
``utils`` imports it.
"""


class NotebookError(Exception):
    """A notebook a tool cannot use; the message is one line naming the file and the problem."""


def one_line(text, limit=200):
    """``text`` with its whitespace collapsed, cut at ``limit`` characters: for a one-line error."""
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[:limit - 3] + "..."


def read_notebook(path):
    """The notebook at ``path`` as nbformat 4, validated; raises :class:`NotebookError` otherwise.

    Every tool reads its notebooks through this first, so a file that is missing, not JSON or not a
    valid notebook stops the command with one line (``python -m tools.x``: exit status 1) before
    anything is written.
    """
    import nbformat

    try:
        captured = {}  # validation errors are raised below, not logged by nbformat.read
        nb = nbformat.read(path, as_version=4, capture_validation_error=captured)
        nbformat.validate(nb)
    except FileNotFoundError:
        raise NotebookError(f"{path}: no such notebook") from None
    except nbformat.reader.NotJSONError:
        raise NotebookError(f"{path}: not a notebook: the file is not JSON (repair it, or restore "
                            "it from git)") from None
    except nbformat.ValidationError as error:
        raise NotebookError(f"{path}: not a valid notebook: {one_line(error.message)} "
                            "(repair it, or restore it from git)") from None
    except Exception as error:  # e.g. a JSON list or string: nbformat fails on it in its own ways
        raise NotebookError(f"{path}: not a valid notebook ({type(error).__name__}: {one_line(str(error))})") from None
    return nb
