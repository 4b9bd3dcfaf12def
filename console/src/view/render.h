// Renders the console's pages from their view models with mustache templates
// (kainjow), which HTML-escape every {{value}}: order data comes from
// customers, registries and CAs and is never trusted as markup.
#pragma once

#include <string>
#include <string_view>

#include "console/src/view/page_model.h"

namespace sslpanel::console::view {

std::string RenderOrderPage(const OrderPage& page);
std::string RenderListPage(const ListPage& page);
std::string RenderErrorPage(const ErrorPage& page);

// The one stylesheet, served as /static/console.css: the Content-Security-Policy
// allows no inline style.
std::string_view Stylesheet();

}  // namespace sslpanel::console::view
