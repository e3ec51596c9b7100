"""``python -m assistant`` runs the ``copc`` command line."""

from assistant.cli import main

if __name__ == "__main__":
    main()
