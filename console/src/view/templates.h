// The mustache templates of the console's pages. Every value is written as
// {{value}} (escaped); the single {{{body}}} of the layout takes a page body
// that these templates rendered themselves.
#pragma once

#include <string_view>

namespace sslpanel::console::view::templates {

extern const std::string_view kLayout;
extern const std::string_view kOrderBody;
extern const std::string_view kListBody;
extern const std::string_view kErrorBody;
extern const std::string_view kStylesheet;

}  // namespace sslpanel::console::view::templates
