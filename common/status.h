// Status: the outcome of an operation that can fail for expected reasons
// (bad file, not found, conflict, busy). Modelled on LevelDB's Status: a value,
// cheap when OK, carrying a code and a plain-language message otherwise.
// Exceptions are for programming errors only and never cross a module boundary.
#pragma once

#include <string>
#include <utility>

namespace kho {

class Status {
 public:
  enum class Code {
    kOk,
    kNotFound,
    kInvalid,
    kCorrupt,
    kUnsupported,
    kIoError,
    kConflict,
    kTooLarge,
    kBusy,
    kDenied
  };

  Status() = default;
  static Status Ok() { return {}; }
  static Status NotFound(std::string msg) { return {Code::kNotFound, std::move(msg)}; }
  static Status Invalid(std::string msg) { return {Code::kInvalid, std::move(msg)}; }
  static Status Corrupt(std::string msg) { return {Code::kCorrupt, std::move(msg)}; }
  static Status Unsupported(std::string msg) { return {Code::kUnsupported, std::move(msg)}; }
  static Status IoError(std::string msg) { return {Code::kIoError, std::move(msg)}; }
  static Status Conflict(std::string msg) { return {Code::kConflict, std::move(msg)}; }
  static Status TooLarge(std::string msg) { return {Code::kTooLarge, std::move(msg)}; }
  static Status Busy(std::string msg) { return {Code::kBusy, std::move(msg)}; }
  // The caller is known but may not do this.
  static Status Denied(std::string msg) { return {Code::kDenied, std::move(msg)}; }

  bool ok() const { return code_ == Code::kOk; }
  bool is_not_found() const { return code_ == Code::kNotFound; }
  Code code() const { return code_; }
  const std::string& message() const { return message_; }
  // A stable snake_case name of the failure ("query_too_long") for programs
  // to act on, or empty; the message stays the words for people.
  const std::string& reason() const { return reason_; }

  // Adds context in front of the message: "file.pdf: truncated PDF".
  Status with_context(const std::string& context) const {
    if (ok()) return *this;
    Status s{code_, context + ": " + message_};
    s.reason_ = reason_;
    return s;
  }
  Status with_reason(std::string reason) const {
    Status s = *this;
    if (!ok()) s.reason_ = std::move(reason);
    return s;
  }

 private:
  Status(Code code, std::string msg) : code_(code), message_(std::move(msg)) {}
  Code code_ = Code::kOk;
  std::string message_;
  std::string reason_;
};

}  // namespace kho
