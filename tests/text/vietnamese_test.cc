#include <catch2/catch.hpp>

#include "text/vietnamese.h"

using namespace kho::text;

TEST_CASE("fold drops diacritics and maps đ to d") {
  CHECK(fold("Trần Đình Hà") == "Tran Dinh Ha");
  CHECK(fold("Đường") == "Duong");
  CHECK(fold("tốt nghiệp") == "tot nghiep");
}

TEST_CASE("nfc, lower and valid_utf8") {
  CHECK(nfc("Tra\xcc\x82\xcc\x80n") == "Trần");
  CHECK(lower("ĐẠI HỌC") == "đại học");
  CHECK(valid_utf8("\xff\xfe") == "\xef\xbf\xbd\xef\xbf\xbd");
}
