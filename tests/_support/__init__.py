"""What more than one test module uses, by topic. A test module imports from here, never from
another test module (tests/test_suite_hygiene.py checks it).

* ``bodies``: cases over every operation's bodies, each distinct body once in a local run;
* ``budgets``: the Hypothesis deadlines of the property tests, and why they are what they are;
* ``boundaries``: the boundary cases of tests/boundaries/*.yaml and the payload of each;
* ``hostile``: the hostile-input corpus: malformed, oversized and hostile payloads, by name;
* ``xml``: text an lxml element can hold, and an xmlschema error as comparable data;
* ``reports``: a sample conformance run with one entry of each kind, for the report writers;
* ``brands``: a brand and a campaign under it, for the brand behind a campaign;
* ``wheelhouse``: a local wheelhouse packed from this environment, for installs that reach no
  package index;
* ``summary``: a pytest plugin (loaded by conftest.py) for figures printed in the terminal
  summary, such as how many inputs the fuzz tests fed to ``tendlc.validate``.
"""
