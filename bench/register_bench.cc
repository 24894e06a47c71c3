// Lookup latency in the graduation register, for bench/register: makes a
// register of N entries (names drawn from common Vietnamese family, middle and
// given names; serials, entry numbers, birth dates) through Registry's own
// import, writes the same rows as CSV for the peer, then times lookups as a
// clerk types them: a full name without diacritics, a given name narrowed by
// birth date, a serial number typed in lower case without its space.
// Prints one line per class: class, count, p50, p95, p99, max in ms.
// Usage: kho-register-bench DIR [ENTRIES] [LOOKUPS]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "core/library.h"
#include "register/register.h"
#include "text/vietnamese.h"

namespace {

const std::vector<std::string> kFamily = {
    "Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ",    "Võ",   "Đặng",
    "Bùi",    "Đỗ",   "Hồ", "Ngô",  "Dương", "Lý",    "Đinh", "Trịnh", "Đoàn", "Lương"};
const std::vector<std::string> kMiddle = {"Văn",   "Thị", "Minh", "Đức", "Thu", "Ngọc", "Quốc",
                                          "Thanh", "Hữu", "Thuỳ", "Gia", "Bảo", "Hoài", "Xuân"};
const std::vector<std::string> kGiven = {
    "An",    "Bình",  "Cường", "Dũng",  "Đạt",    "Giang", "Hà",    "Hải", "Hạnh", "Hiếu", "Hoa",
    "Hùng",  "Hương", "Huy",   "Khánh", "Lan",    "Linh",  "Long",  "Mai", "Minh", "Nam",  "Nga",
    "Ngọc",  "Nhung", "Phong", "Phúc",  "Phương", "Quân",  "Quang", "Sơn", "Tâm",  "Thảo", "Thắng",
    "Thành", "Trang", "Trung", "Tuấn",  "Tú",     "Vân",   "Việt",  "Vy",  "Yến",  "Ánh",  "Đông"};

double percentile(std::vector<double> v, double p) {
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<std::size_t>(p * v.size()))];
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: kho-register-bench DIR [ENTRIES] [LOOKUPS]\n");
    return 2;
  }
  const std::string dir = argv[1];
  const std::size_t entries = argc > 2 ? std::stoul(argv[2]) : 100000;
  const std::size_t lookups = argc > 3 ? std::stoul(argv[3]) : 2000;
  std::unique_ptr<kho::Library> library;
  if (auto s = kho::Library::open(dir + "/data", true, &library); !s.ok()) {
    std::fprintf(stderr, "%s\n", s.message().c_str());
    return 1;
  }
  auto& accounts = library->accounts();
  (void)accounts.add_school({"PGD", "Phòng GD&ĐT", "", ""}, "bench");
  kho::registry::Registry registry(library->store());
  const kho::Access staff = kho::Access::library_staff();
  kho::registry::Register reg;
  if (auto s = registry.create_register({0, "PGD", "THCS", 2023, "", 0, "", ""}, staff, &reg);
      !s.ok()) {
    std::fprintf(stderr, "%s\n", s.message().c_str());
    return 1;
  }
  std::mt19937 rng(42);
  auto pick = [&](const std::vector<std::string>& v) { return v[rng() % v.size()]; };
  struct Row {
    std::string name, born, serial;
  };
  std::vector<Row> made;
  std::vector<std::vector<std::string>> rows = {
      {"Họ và tên", "Ngày sinh", "Số hiệu bằng", "Số vào sổ cấp bằng", "Trường"}};
  std::ofstream csv(dir + "/register.csv");
  csv << "name\tfolded\tborn\tserial\n";
  for (std::size_t i = 0; i < entries; ++i) {
    char born[16], serial[32];
    std::snprintf(born, sizeof born, "%02u/%02u/2008", 1 + static_cast<unsigned>(rng() % 28),
                  1 + static_cast<unsigned>(rng() % 12));
    std::snprintf(serial, sizeof serial, "B %07zu", i + 1);
    std::string name = pick(kFamily) + " " + pick(kMiddle) + " " + pick(kGiven);
    rows.push_back({name, born, serial, "SV-" + std::to_string(i + 1), "THCS " + pick(kGiven)});
    made.push_back({name, born, serial});
    csv << name << '\t' << kho::text::lower(kho::text::fold(name)) << '\t' << born << '\t' << serial
        << '\n';
  }
  auto t0 = std::chrono::steady_clock::now();
  kho::registry::ImportResult result;
  if (auto s = registry.import_rows(reg.id, rows, staff, &result); !s.ok()) {
    std::fprintf(stderr, "%s\n", s.message().c_str());
    return 1;
  }
  double import_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::printf("import\t%zu entries\t%.1f s\n", result.added, import_s);

  std::map<std::string, std::vector<double>> times;
  std::map<std::string, std::size_t> found;
  for (std::size_t i = 0; i < lookups; ++i) {
    const Row& r = made[rng() % made.size()];
    std::string given = r.name.substr(r.name.rfind(' ') + 1), serial = r.serial;
    serial.erase(std::remove(serial.begin(), serial.end(), ' '), serial.end());
    for (auto& c : serial) c = static_cast<char>(std::tolower(c));
    std::vector<std::pair<std::string, kho::registry::Query>> mix;
    kho::registry::Query full;
    full.name = kho::text::lower(kho::text::fold(r.name));
    mix.push_back({"name-unaccented", full});
    kho::registry::Query narrowed;
    narrowed.name = kho::text::fold(given);
    narrowed.birth_date = r.born;
    mix.push_back({"given-name+birth-date", narrowed});
    kho::registry::Query by_serial;
    by_serial.serial = serial;
    mix.push_back({"serial", by_serial});
    for (auto& [cls, q] : mix) {
      std::vector<kho::registry::Entry> out;
      bool more = false;
      auto start = std::chrono::steady_clock::now();
      auto s = registry.find(q, staff, "bench", &out, &more);
      times[cls].push_back(
          std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
              .count());
      if (s.ok() && !out.empty()) ++found[cls];
    }
  }
  for (const auto& [cls, t] : times)
    std::printf("%s\t%zu\t%.2f\t%.2f\t%.2f\t%.2f\tfound %zu\n", cls.c_str(), t.size(),
                percentile(t, 0.5), percentile(t, 0.95), percentile(t, 0.99),
                *std::max_element(t.begin(), t.end()), found[cls]);
  return 0;
}
