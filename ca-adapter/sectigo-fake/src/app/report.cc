// WebHostReport: the account's orders in a time window, for looking an
// order up after an unknown outcome. The response keys are our reading (the
// contract does not confirm them): noOfResults, then i_orderNumber,
// i_certificateID, i_orderDate, i_productCode, i_fqdn, i_uniqueValue,
// i_foreignOrderNumber, i_status, i_test, indexed from 1.
#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "ca-adapter/sectigo-fake/src/app/fake_ca.h"

namespace sslpanel::sectigo_fake {
namespace {

bool ReadLong(const Params& params, const char* name, long& value) {
  return !params.Has(name) || absl::SimpleAtoi(*params.Get(name), &value);
}

}  // namespace

Reply FakeCa::WebHostReport(Account& account, const Params& params, Format format) {
  long not_before = 0;
  long not_after = absl::ToUnixSeconds(absl::InfiniteFuture());
  long first = 1;
  long last = 1000;
  for (auto [name, value] :
       {std::pair{"notBefore", &not_before}, std::pair{"notAfter", &not_after},
        std::pair{"firstResultNo", &first}, std::pair{"lastResultNo", &last}}) {
    if (!ReadLong(params, name, *value)) {
      return ErrorReply(-4, InvalidArgument(name), format);
    }
  }
  if (first < 1 || last < first) {
    return ErrorReply(-4, InvalidArgument("firstResultNo"), format);
  }
  const std::string fqdn = absl::AsciiStrToLower(params.GetOr("fqdn"));
  const std::string number = params.GetOr("orderNumber");
  std::vector<Order*> found;
  for (auto& order : orders_) {
    const long created = absl::ToUnixSeconds(order->created);
    const Certificate& newest = order->certificates.back();
    const bool name_matches = fqdn.empty() || std::find(newest.names.begin(), newest.names.end(),
                                                        fqdn) != newest.names.end();
    if (order->account == account.login_name && created >= not_before && created <= not_after &&
        name_matches && (number.empty() || order->number == number)) {
      found.push_back(order.get());
    }
  }
  Reply reply;
  reply.format = format;
  std::vector<Order*> page;
  for (long i = first; i <= last && i <= static_cast<long>(found.size()); ++i) {
    page.push_back(found[i - 1]);
  }
  reply.Add("noOfResults", absl::StrCat(page.size()));
  int index = 1;
  for (Order* order : page) {
    Certificate& newest = order->certificates.back();
    Refresh(*order, newest);
    const std::string prefix = absl::StrCat(index++, "_");
    reply.Add(prefix + "orderNumber", order->number)
        .Add(prefix + "certificateID", newest.id)
        .Add(prefix + "orderDate", absl::StrCat(absl::ToUnixSeconds(order->created)))
        .Add(prefix + "productCode", absl::StrCat(order->product))
        .Add(prefix + "fqdn", newest.names.front())
        .Add(prefix + "uniqueValue", newest.unique_value)
        .Add(prefix + "foreignOrderNumber", order->foreign_order_number)
        .Add(prefix + "status", CertStateName(newest.state))
        .Add(prefix + "test", order->test ? "Y" : "N");
  }
  return reply;
}

}  // namespace sslpanel::sectigo_fake
