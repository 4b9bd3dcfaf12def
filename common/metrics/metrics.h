// What the binaries share on top of prometheus-cpp: the latency buckets and
// a way for tests to read a sample. There is no process-wide registry: main()
// makes one and hands it to whatever records, so a test that builds its own
// sees only its own counts, whichever tests ran before it.
#pragma once

#include <optional>
#include <string>

#include "prometheus/collectable.h"
#include "prometheus/histogram.h"
#include "prometheus/labels.h"

namespace sslpanel::metrics {

// Latency buckets for calls, in seconds: 1 ms to 30 s.
const prometheus::Histogram::BucketBoundaries& LatencyBuckets();

// The value of the counter or gauge sample `name` with exactly `labels`, or
// nullopt when there is no such series.
std::optional<double> Value(const prometheus::Collectable& registry, const std::string& name,
                            const prometheus::Labels& labels);

// Everything in `registry` in the text exposition format a scraper reads.
std::string Render(const prometheus::Collectable& registry);

}  // namespace sslpanel::metrics
