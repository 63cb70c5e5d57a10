"""Outreach library: materials volunteers find and share on a weak signal.

* :mod:`.storage` – where the files live (local disk; replaceable).
* :mod:`.uploads` – validating and preparing an uploaded file.
* :mod:`.catalog` – publish, update, withdraw, search.
* :mod:`.sharing` – copyable text, QR codes, reach records.
* :mod:`.supplies` – the household supply calculator.
* :mod:`.starter` – starter content made by the project's own code.
"""
