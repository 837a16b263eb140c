

def test_branch_codes_sort_with_their_numbers_in_number_order():
    from audit.names import code_key
    codes = ["KNS-104", "kns-14", "KNS-2", "RIX-01", "KLP-100", "KLP-16", "VLN"]
    assert sorted(codes, key=code_key) == ["KLP-16", "KLP-100", "KNS-2", "kns-14", "KNS-104", "RIX-01", "VLN"]
