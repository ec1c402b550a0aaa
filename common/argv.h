// An argv for getopt_long() made from a program's name and its arguments,
// which it owns while the parse runs.
#pragma once

#include <string>
#include <vector>

namespace netlog {

class Argv {
 public:
  Argv(std::string name, const std::vector<std::string>& args)
      : storage_{std::move(name)} {
    storage_.insert(storage_.end(), args.begin(), args.end());
    for (auto& a : storage_) argv_.push_back(a.data());
    argv_.push_back(nullptr);
  }
  int argc() const { return int(storage_.size()); }
  char** argv() { return argv_.data(); }
  // Argument `i` (0: the name), as given.
  const std::string& operator[](int i) const { return storage_[size_t(i)]; }

 private:
  std::vector<std::string> storage_;
  std::vector<char*> argv_;
};

}  // namespace netlog
