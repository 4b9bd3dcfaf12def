#include "common/metrics/metrics.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace sslpanel::metrics {
namespace {

std::string Escape(const std::string& value) {
  std::string out;
  for (char c : value) {
    if (c == '\\' || c == '"') {
      out.push_back('\\');
      out.push_back(c);
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out.push_back(c);
    }
  }
  return out;
}

std::string Number(double value) { return absl::StrFormat("%.17g", value); }

// {a="x",b="y"} plus an optional extra pair (the histogram's le).
std::string LabelSet(const std::vector<std::string>& names, const Labels& values,
                     const std::string& extra_name = "", const std::string& extra_value = "") {
  std::string out;
  for (size_t i = 0; i < names.size() && i < values.size(); ++i) {
    absl::StrAppend(&out, out.empty() ? "" : ",", names[i], "=\"", Escape(values[i]), "\"");
  }
  if (!extra_name.empty()) {
    absl::StrAppend(&out, out.empty() ? "" : ",", extra_name, "=\"", extra_value, "\"");
  }
  return out.empty() ? "" : absl::StrCat("{", out, "}");
}

void Header(std::string* out, const std::string& name, const std::string& help, const char* type) {
  absl::StrAppend(out, "# HELP ", name, " ", help, "\n# TYPE ", name, " ", type, "\n");
}

}  // namespace

CounterFamily::CounterFamily(std::string name, std::string help,
                             std::vector<std::string> label_names)
    : name_(std::move(name)), help_(std::move(help)), label_names_(std::move(label_names)) {}

void CounterFamily::Add(const Labels& labels, double value) {
  std::lock_guard<std::mutex> lock(mu_);
  values_[labels] += value;
}

double CounterFamily::Value(const Labels& labels) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = values_.find(labels);
  return it == values_.end() ? 0 : it->second;
}

void CounterFamily::Render(std::string* out) const {
  Header(out, name_, help_, "counter");
  std::lock_guard<std::mutex> lock(mu_);
  for (const auto& [labels, value] : values_) {
    absl::StrAppend(out, name_, LabelSet(label_names_, labels), " ", Number(value), "\n");
  }
}

GaugeFamily::GaugeFamily(std::string name, std::string help, std::vector<std::string> label_names)
    : name_(std::move(name)), help_(std::move(help)), label_names_(std::move(label_names)) {}

void GaugeFamily::Set(const Labels& labels, double value) {
  std::lock_guard<std::mutex> lock(mu_);
  values_[labels] = value;
}

void GaugeFamily::Render(std::string* out) const {
  Header(out, name_, help_, "gauge");
  std::lock_guard<std::mutex> lock(mu_);
  for (const auto& [labels, value] : values_) {
    absl::StrAppend(out, name_, LabelSet(label_names_, labels), " ", Number(value), "\n");
  }
}

HistogramFamily::HistogramFamily(std::string name, std::string help,
                                 std::vector<std::string> label_names, std::vector<double> bounds)
    : name_(std::move(name)),
      help_(std::move(help)),
      label_names_(std::move(label_names)),
      bounds_(std::move(bounds)) {}

void HistogramFamily::Observe(const Labels& labels, double value) {
  std::lock_guard<std::mutex> lock(mu_);
  Series& series = series_[labels];
  if (series.buckets.empty()) {
    series.buckets.assign(bounds_.size() + 1, 0);
  }
  size_t bucket = 0;
  while (bucket < bounds_.size() && value > bounds_[bucket]) {
    ++bucket;
  }
  ++series.buckets[bucket];
  series.sum += value;
  ++series.count;
}

void HistogramFamily::Render(std::string* out) const {
  Header(out, name_, help_, "histogram");
  std::lock_guard<std::mutex> lock(mu_);
  for (const auto& [labels, series] : series_) {
    uint64_t cumulative = 0;
    for (size_t i = 0; i < series.buckets.size(); ++i) {
      cumulative += series.buckets[i];
      const std::string le = i < bounds_.size() ? Number(bounds_[i]) : "+Inf";
      absl::StrAppend(out, name_, "_bucket", LabelSet(label_names_, labels, "le", le), " ",
                      cumulative, "\n");
    }
    absl::StrAppend(out, name_, "_sum", LabelSet(label_names_, labels), " ", Number(series.sum),
                    "\n", name_, "_count", LabelSet(label_names_, labels), " ", series.count, "\n");
  }
}

Registry& Registry::Default() {
  static auto* registry = new Registry();
  return *registry;
}

CounterFamily& Registry::Counter(const std::string& name, const std::string& help,
                                 const std::vector<std::string>& label_names) {
  std::lock_guard<std::mutex> lock(mu_);
  auto& family = families_[name];
  if (family == nullptr) {
    family = std::make_unique<CounterFamily>(name, help, label_names);
  }
  return static_cast<CounterFamily&>(*family);
}

GaugeFamily& Registry::Gauge(const std::string& name, const std::string& help,
                             const std::vector<std::string>& label_names) {
  std::lock_guard<std::mutex> lock(mu_);
  auto& family = families_[name];
  if (family == nullptr) {
    family = std::make_unique<GaugeFamily>(name, help, label_names);
  }
  return static_cast<GaugeFamily&>(*family);
}

HistogramFamily& Registry::Histogram(const std::string& name, const std::string& help,
                                     const std::vector<std::string>& label_names,
                                     const std::vector<double>& bounds) {
  std::lock_guard<std::mutex> lock(mu_);
  auto& family = families_[name];
  if (family == nullptr) {
    family = std::make_unique<HistogramFamily>(name, help, label_names, bounds);
  }
  return static_cast<HistogramFamily&>(*family);
}

std::string Registry::Render() const {
  std::string out;
  std::lock_guard<std::mutex> lock(mu_);
  for (const auto& [name, family] : families_) {
    family->Render(&out);
  }
  return out;
}

const std::vector<double>& LatencyBuckets() {
  static const auto* buckets = new std::vector<double>{0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1,
                                                       0.25,  0.5,    1,     2.5,  5,     10,   30};
  return *buckets;
}

}  // namespace sslpanel::metrics
