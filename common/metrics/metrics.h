// Prometheus metrics: counters, gauges and histograms with labels, rendered
// in the text exposition format for a scraper. Pure C++; the HTTP endpoint
// is in metrics_server.h.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace sslpanel::metrics {

using Labels = std::vector<std::string>;  // values, in the family's label order

class Family {
 public:
  virtual ~Family() = default;
  virtual void Render(std::string* out) const = 0;
};

class CounterFamily final : public Family {
 public:
  CounterFamily(std::string name, std::string help, std::vector<std::string> label_names);
  void Add(const Labels& labels, double value = 1);
  double Value(const Labels& labels) const;
  void Render(std::string* out) const override;

 private:
  const std::string name_, help_;
  const std::vector<std::string> label_names_;
  mutable std::mutex mu_;
  std::map<Labels, double> values_;
};

class GaugeFamily final : public Family {
 public:
  GaugeFamily(std::string name, std::string help, std::vector<std::string> label_names);
  void Set(const Labels& labels, double value);
  void Render(std::string* out) const override;

 private:
  const std::string name_, help_;
  const std::vector<std::string> label_names_;
  mutable std::mutex mu_;
  std::map<Labels, double> values_;
};

class HistogramFamily final : public Family {
 public:
  // `bounds` are the upper bounds of the buckets, increasing; +Inf is added.
  HistogramFamily(std::string name, std::string help, std::vector<std::string> label_names,
                  std::vector<double> bounds);
  void Observe(const Labels& labels, double value);
  void Render(std::string* out) const override;

 private:
  struct Series {
    std::vector<uint64_t> buckets;  // cumulative counts are computed on render
    double sum = 0;
    uint64_t count = 0;
  };
  const std::string name_, help_;
  const std::vector<std::string> label_names_;
  const std::vector<double> bounds_;
  mutable std::mutex mu_;
  std::map<Labels, Series> series_;
};

// The process's metrics. Families are created once, on first use, and live
// as long as the process.
class Registry {
 public:
  static Registry& Default();

  CounterFamily& Counter(const std::string& name, const std::string& help,
                         const std::vector<std::string>& label_names);
  GaugeFamily& Gauge(const std::string& name, const std::string& help,
                     const std::vector<std::string>& label_names);
  HistogramFamily& Histogram(const std::string& name, const std::string& help,
                             const std::vector<std::string>& label_names,
                             const std::vector<double>& bounds);

  // Every family in the text exposition format (version 0.0.4).
  std::string Render() const;

 private:
  mutable std::mutex mu_;
  std::map<std::string, std::unique_ptr<Family>> families_;
};

// Latency buckets for calls, in seconds: 1 ms to 30 s.
const std::vector<double>& LatencyBuckets();

}  // namespace sslpanel::metrics
