// The graduation register (sổ gốc cấp văn bằng): one entry per diploma an
// organisation issued, kept beside the records on the same store (its module
// tables), the same audit log and the same access check. It promises:
//  - an entry's ID is immutable and never reused; its serial number (số hiệu
//    bằng) and entry number (số vào sổ) are unique in their register;
//  - an entry changes only by a referenced decision (number, date, signer,
//    reason), and its earlier values stay in its history; a revoked entry is
//    kept, marked revoked;
//  - only staff whose role handles diplomas at the register's organisation
//    (or an office above it) read or change entries, and every lookup, view
//    and change is in the audit log with the purpose given;
//  - a copy from the register is numbered in the register of copies in the
//    same transaction as its PDF, which is kept byte for byte; its QR code
//    carries the entry's public content signed with the organisation's
//    Ed25519 key, so anyone can check it offline with the published key;
//  - verification answers valid, corrected or revoked with only what a
//    provincial lookup shows, and never a list.
// Names are found with or without diacritics (text/vietnamese.h folding).
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "common/status.h"
#include "core/access.h"
#include "store/store.h"

namespace kho::registry {

// An entry's fields, by name: full_name, birth_date (YYYY-MM-DD),
// birth_place, sex, ethnicity, school, class, year (of graduation),
// classification, decision_number, decision_date, serial, entry_number,
// issued (date of issue), signer, notes, scan_page, scan_line.
const std::vector<std::string>& field_names();

// One register of diplomas issued: by an organisation, for a level and a year.
struct Register {
  std::uint64_t id = 0;
  std::string org;    // organisation code (store.h)
  std::string level;  // "THCS", "THPT", ...
  int year = 0;
  std::string title;
  store::RecordId scan = 0;  // the scanned paper register, a record; 0: none
  std::string created_at, created_by;
};

// The decision that corrects or revokes an entry.
struct Decision {
  std::string number, date, signer, reason;  // date YYYY-MM-DD
};

// Something that happened to an entry: made, corrected or revoked.
struct Event {
  std::string at, actor, op;  // op: "create", "correct", "revoke"
  Decision decision;          // empty for "create"
  std::vector<store::FieldChange> changes;
};

struct Entry {
  std::uint64_t id = 0;
  std::uint64_t register_id = 0;
  std::string org;
  std::map<std::string, std::string> fields;
  std::string status = "valid";  // "valid", "corrected", "revoked"
  std::vector<Event> history;
};

// One line of the register of copies (sổ cấp bản sao).
struct Copy {
  std::uint64_t number = 0;
  std::uint64_t entry = 0;
  std::string org;
  std::string at, issued_by, requester, purpose;
  std::string payload;    // canonical JSON the signature covers
  std::string signature;  // Ed25519, base64url
  std::string code;       // what the QR code carries: the verification address
  std::string pdf_sha256;
  std::size_t events = 0;  // the entry's history when the copy was made
};

// What verification shows: only what a provincial lookup shows.
struct Verification {
  std::string status;  // "valid", "corrected", "revoked", "not_found", "tampered"
  std::map<std::string, std::string> shown;  // full_name, birth_date, serial, ...
  Decision decision;                         // for corrected and revoked
  std::uint64_t copy = 0;                    // a copy's number, when one was checked
  bool changed_since_copy = false;           // the entry changed after the copy
};

// A row of an imported sheet that was refused, and why.
struct RowProblem {
  std::size_t row = 0;  // 1-based, as the spreadsheet numbers it
  std::string field;
  std::string code;               // unknown_field, not_a_date, not_a_year, not_a_number, not_a_sex,
                                  // missing, duplicate (or invalid)
  std::string value;              // the cell as typed
  std::uint64_t other_entry = 0;  // duplicate: the entry that holds the value
  std::string reason;             // in English, for logs and scripts
};
struct ImportResult {
  std::size_t added = 0;
  std::vector<std::uint64_t> entries;
  std::vector<RowProblem> refused;
};

// A lookup: each given part narrows it. `name` is matched word by word,
// folded; serial and entry number as typed (case and spaces ignored).
struct Query {
  std::string name, birth_date, school, serial, entry_number;
  int year = 0;
  std::uint64_t register_id = 0;
  std::size_t limit = 50;
};

// A line of a page of a register's scan as OCR read it (lines counted from 1,
// blank ones skipped), with the fields it seems to hold: a guess for staff
// to confirm, never an entry by itself.
struct ScanLine {
  std::uint32_t line = 0;
  std::string text;
  std::map<std::string, std::string> guess;  // field -> value as a person would type it
};
std::map<std::string, std::string> guess_entry(const std::string& line);

class Registry {
 public:
  explicit Registry(store::Store& store) : store_(store) {}

  Status create_register(const Register& in, const Access& access, Register* out);
  Status registers(const Access& access, std::vector<Register>* out) const;
  Status get_register(std::uint64_t id, const Access& access, Register* out) const;

  // Rows of a sheet (the first rows may be headings; the header row names the
  // columns in their usual Vietnamese or English variants). Good rows are
  // added, each refused row is named with its reason; one transaction.
  Status import_rows(std::uint64_t register_id, const std::vector<std::vector<std::string>>& rows,
                     const Access& access, ImportResult* out);
  // An entry typed by staff, from the paper register beside it.
  Status add_entry(std::uint64_t register_id, const std::map<std::string, std::string>& fields,
                   const Access& access, Entry* out, std::string* bad_field = nullptr);

  // The OCR text of a page of the register's scan, line by line with guesses;
  // for staff who may type entries into it. Audited as a read of personal data.
  Status scan_lines(std::uint64_t register_id, std::uint32_t page, const Access& access,
                    std::vector<ScanLine>* out) const;

  // Lookups and views need a purpose (Invalid without), kept in the audit log.
  Status find(const Query& query, const Access& access, const std::string& purpose,
              std::vector<Entry>* out, bool* more) const;
  Status get(std::uint64_t id, const Access& access, const std::string& purpose, Entry* out) const;

  Status correct(std::uint64_t id, const Decision& decision,
                 const std::map<std::string, std::string>& set, const Access& access, Entry* out,
                 std::string* bad_field = nullptr);
  Status revoke(std::uint64_t id, const Decision& decision, const Access& access, Entry* out);

  // Issues a copy: numbered in the register of copies with its PDF, in one
  // transaction. `verify_base` is the public address of /verify.
  Status issue_copy(std::uint64_t entry, const std::string& requester, const std::string& purpose,
                    const std::string& verify_base, const Access& access, Copy* out);
  Status copies(const Access& access, std::vector<Copy>* out) const;
  Status copy_pdf(std::uint64_t number, const Access& access, Copy* copy, std::string* pdf) const;

  // Public: no account. `from` is the caller's address, for the audit log.
  Status verify_serial(const std::string& serial, int year, const std::string& birth_date,
                       const std::string& from, Verification* out);
  Status verify_code(const std::string& code, const std::string& from, Verification* out);
  // Each organisation's Ed25519 public key (base64url), made with its first copy.
  Status public_keys(std::map<std::string, std::string>* out) const;

 private:
  store::Store& store_;
};

// The two halves of a copy's code ("PAYLOAD.SIGNATURE", base64url), checked
// against a public key (base64url); false when the signature does not hold.
bool check_signature(const std::string& payload, const std::string& signature,
                     const std::string& public_key);

// A sheet's rows: XLSX (parsed in a worker process, `worker_exe` being the kho
// binary) or CSV text; Unsupported for anything else.
Status read_sheet(const std::string& path, const std::string& worker_exe,
                  std::vector<std::vector<std::string>>* rows);

// The PDF of a copy (register/copy_pdf.cc): Cairo and Pango, a QR code.
Status copy_pdf_bytes(const Register& reg, const std::string& org_name, const Entry& entry,
                      const Copy& copy, std::string* pdf);

}  // namespace kho::registry
