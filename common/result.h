// A value or an error message, for failures that are expected (bad input,
// a missing device). Fatal conditions throw netlog::Fatal instead.
#pragma once

#include <stdexcept>
#include <string>
#include <utility>
#include <variant>

namespace netlog {

struct Error {
  std::string message;
  int code = 0;  // an errno value, where the caller may act on it
};

template <typename T>
class Result {
 public:
  Result(T value) : v_(std::move(value)) {}
  Result(Error error) : v_(std::move(error)) {}

  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }
  T& value() { return std::get<0>(v_); }
  const T& value() const { return std::get<0>(v_); }
  T& operator*() { return value(); }
  const T& operator*() const { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  const Error& error() const { return std::get<1>(v_); }

 private:
  std::variant<T, Error> v_;
};

// The one exception type: caught in main, printed, exit code 1.
class Fatal : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace netlog
