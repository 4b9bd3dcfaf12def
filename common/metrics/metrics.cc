#include "common/metrics/metrics.h"

#include "prometheus/text_serializer.h"

namespace sslpanel::metrics {

const prometheus::Histogram::BucketBoundaries& LatencyBuckets() {
  static const auto* buckets = new prometheus::Histogram::BucketBoundaries{
      0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30};
  return *buckets;
}

std::optional<double> Value(const prometheus::Collectable& registry, const std::string& name,
                            const prometheus::Labels& labels) {
  for (const prometheus::MetricFamily& family : registry.Collect()) {
    if (family.name != name) {
      continue;
    }
    for (const prometheus::ClientMetric& metric : family.metric) {
      prometheus::Labels found;
      for (const prometheus::ClientMetric::Label& label : metric.label) {
        found[label.name] = label.value;
      }
      if (found != labels) {
        continue;
      }
      switch (family.type) {
        case prometheus::MetricType::Counter:
          return metric.counter.value;
        case prometheus::MetricType::Gauge:
          return metric.gauge.value;
        default:
          return std::nullopt;
      }
    }
  }
  return std::nullopt;
}

std::string Render(const prometheus::Collectable& registry) {
  return prometheus::TextSerializer().Serialize(registry.Collect());
}

}  // namespace sslpanel::metrics
