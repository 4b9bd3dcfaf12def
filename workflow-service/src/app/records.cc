#include "workflow-service/src/app/records.h"

namespace sslpanel::workflow::app {

int OrderRecord::IndexOf(int64_t certificate_id) const {
  for (size_t i = 0; i < order.certificates.size(); ++i) {
    if (order.certificates[i].id == certificate_id) {
      return static_cast<int>(i);
    }
  }
  return -1;
}

std::vector<domain::Event> OrderRecord::EventsOf(int index) const {
  std::vector<domain::Event> events;
  for (const EventRecord& record : this->events) {
    if (record.event.certificate == index) {
      events.push_back(record.event);
    }
  }
  return events;
}

}  // namespace sslpanel::workflow::app
