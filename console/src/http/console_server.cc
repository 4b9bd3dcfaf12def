#include "console/src/http/console_server.h"

#include <httplib.h>

#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/log/log.h"
#include "console/src/grpc/to_view.h"
#include "console/src/http/list_query.h"
#include "console/src/view/render.h"

namespace sslpanel::console::http {
namespace {

namespace v1 = ::sslpanel::workflow::v1;

constexpr char kHtml[] = "text/html; charset=utf-8";

void SendError(const view::ErrorPage& page, httplib::Response& res) {
  res.status = page.http_status;
  res.set_content(view::RenderErrorPage(page), kHtml);
}

}  // namespace

view::ErrorPage ErrorPageFor(const absl::Status& status) {
  view::ErrorPage page;
  page.message = std::string(status.message());
  switch (status.code()) {
    case absl::StatusCode::kNotFound:
      page.http_status = 404;
      page.title = "Not found";
      page.hint = "Check the id, or search the order list.";
      break;
    case absl::StatusCode::kInvalidArgument:
    case absl::StatusCode::kOutOfRange:
      page.http_status = 400;
      page.title = "Invalid request";
      page.hint = "The id or a filter is not in the form the workflow API accepts.";
      break;
    case absl::StatusCode::kUnavailable:
    case absl::StatusCode::kDeadlineExceeded:
      page.http_status = 503;
      page.title = "Workflow service unavailable";
      page.hint = "The console could not reach the workflow service; try again shortly.";
      break;
    case absl::StatusCode::kPermissionDenied:
    case absl::StatusCode::kUnauthenticated:
      page.http_status = 502;
      page.title = "The workflow service refused the console";
      page.hint = "The console's identity lacks a role that may read orders.";
      break;
    default:
      page.http_status = 502;
      page.title = "The workflow service failed";
      page.hint = "See the workflow service's log.";
      break;
  }
  return page;
}

ConsoleServer::ConsoleServer(grpc_glue::WorkflowClient& workflow)
    : workflow_(workflow), server_(std::make_unique<httplib::Server>()) {
  Routes();
}

ConsoleServer::~ConsoleServer() { Stop(); }

absl::StatusOr<int> ConsoleServer::Bind(const std::string& host, int port) {
  if (port == 0) {
    const int bound = server_->bind_to_any_port(host);
    if (bound <= 0) {
      return absl::UnavailableError(absl::StrCat("cannot listen on ", host, ":0"));
    }
    return bound;
  }
  if (!server_->bind_to_port(host, port)) {
    return absl::UnavailableError(absl::StrCat("cannot listen on ", host, ":", port));
  }
  return port;
}

void ConsoleServer::Serve() { server_->listen_after_bind(); }

void ConsoleServer::Stop() {
  if (server_->is_running()) {
    server_->stop();
  }
}

void ConsoleServer::Routes() {
  httplib::Server& s = *server_;
  s.set_default_headers({
      {"Content-Security-Policy", kContentSecurityPolicy},
      {"X-Content-Type-Options", "nosniff"},
      {"Referrer-Policy", "no-referrer"},
      {"X-Frame-Options", "DENY"},
      {"Cache-Control", "no-store"},
  });

  s.Get("/", [](const httplib::Request&, httplib::Response& res) { res.set_redirect("/orders"); });
  s.Get("/healthz", [](const httplib::Request&, httplib::Response& res) {
    res.set_content("ok\n", "text/plain; charset=utf-8");
  });
  // Browsers ask for it on every page; an empty answer keeps the log clean.
  s.Get("/favicon.ico", [](const httplib::Request&, httplib::Response& res) { res.status = 204; });
  s.Get("/static/console.css", [](const httplib::Request&, httplib::Response& res) {
    res.set_content(std::string(view::Stylesheet()), "text/css; charset=utf-8");
  });

  s.Get("/orders", [this](const httplib::Request& req, httplib::Response& res) {
    absl::StatusOr<v1::ListOrdersRequest> request = ParseListQuery(req.params);
    if (!request.ok()) {
      SendError(ErrorPageFor(request.status()), res);
      return;
    }
    absl::StatusOr<v1::ListOrdersResponse> response = workflow_.ListOrders(*request);
    if (!response.ok()) {
      SendError(ErrorPageFor(response.status()), res);
      return;
    }
    res.set_content(view::RenderListPage(ToListPage(*request, *response)), kHtml);
  });

  auto order_page = [this](const absl::StatusOr<v1::Order>& order, httplib::Response& res) {
    if (!order.ok()) {
      SendError(ErrorPageFor(order.status()), res);
      return;
    }
    std::vector<absl::StatusOr<v1::GetWorkflowResponse>> pictures;
    for (const v1::Certificate& cert : order->certificates()) {
      pictures.push_back(workflow_.GetWorkflow(order->order_id(), cert.certificate_id()));
    }
    absl::StatusOr<grpc_glue::WorkflowClient::History> history =
        workflow_.ListOrderEvents(order->order_id(), kMaxEvents);
    if (!history.ok()) {
      SendError(ErrorPageFor(history.status()), res);
      return;
    }
    view::OrderPage page =
        grpc_glue::ToOrderPage(*order, pictures, history->events, history->truncated);
    res.set_content(view::RenderOrderPage(page), kHtml);
  };
  // Registered before /orders/{id}, which would match "by-external" too.
  s.Get(R"(/orders/by-external/(.+))",
        [this, order_page](const httplib::Request& req, httplib::Response& res) {
          order_page(workflow_.GetOrderByExternalId(req.matches[1].str()), res);
        });
  s.Get(R"(/orders/([^/]+))",
        [this, order_page](const httplib::Request& req, httplib::Response& res) {
          order_page(workflow_.GetOrder(req.matches[1].str()), res);
        });

  // Unknown paths and methods get a page too; answers the handlers already
  // wrote are left alone.
  s.set_error_handler(
      httplib::Server::HandlerWithResponse([](const httplib::Request& req, httplib::Response& res) {
        if (!res.body.empty()) {
          return httplib::Server::HandlerResponse::Unhandled;
        }
        view::ErrorPage page;
        page.http_status = res.status;
        page.title = res.status == 404 ? "Not found" : "Request not handled";
        page.message = absl::StrCat("The console has no page for ", req.method, " ", req.path, ".");
        page.hint = "The console only reads: start at the order list.";
        res.set_content(view::RenderErrorPage(page), kHtml);
        return httplib::Server::HandlerResponse::Handled;
      }));
  s.set_exception_handler(
      [](const httplib::Request& req, httplib::Response& res, std::exception_ptr) {
        log::Error("console handler failed", {{"path", req.path}});
        view::ErrorPage page;
        page.http_status = 500;
        page.title = "Console error";
        page.message = "The console failed to draw this page; see its log.";
        SendError(page, res);
      });
}

}  // namespace sslpanel::console::http
