import tendlc


def test_exported_names_are_pinned():
    assert sorted(tendlc.__all__) == sorted(
        [
            "Body",
            "Issue",
            "Limits",
            "Operation",
            "Report",
            "UnknownOperationError",
            "__version__",
            "get_operation",
            "operations",
            "validate",
        ]
    )
    for name in tendlc.__all__:
        assert hasattr(tendlc, name), name


def test_unknown_operation_is_a_lookup_error_that_suggests_the_nearest_ids():
    try:
        tendlc.validate("bandwidth.brand.create", b"<Brand/>")
    except LookupError as exc:
        assert isinstance(exc, tendlc.UnknownOperationError)
        assert "bandwidth.brands.create" in str(exc)
        assert "bandwidth.brands.create" in exc.suggestions
    else:
        raise AssertionError("an unknown operation id must raise")


def test_unknown_part_is_a_programmer_error():
    try:
        tendlc.validate("bandwidth.brands.create", b"<Brand/>", part="body")
    except ValueError as exc:
        assert "part must be one of" in str(exc)
    else:
        raise AssertionError("an unknown part must raise")
