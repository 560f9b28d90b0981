// openapi-typescript's types with openapi-fetch, configured as its docs show: `createClient`
// with `baseUrl` and the default `headers` every request carries.
import createClient from "openapi-fetch";
import type { paths } from "./openapi-typescript/schema";
import { AUTHORIZATION, BASE_URL, ORDER, TOKEN, report } from "./scenario";

const kustom = createClient<paths>({ baseUrl: BASE_URL, headers: { Authorization: AUTHORIZATION } });

async function main(): Promise<void> {
  const params = { path: { customerToken: TOKEN } };
  const created = await kustom.POST("/customer-token/v1/tokens/{customerToken}/order", {
    params,
    body: ORDER,
  });
  const read = await kustom.GET("/customer-token/v1/tokens/{customerToken}", { params });
  const cancelled = await kustom.PATCH("/customer-token/v1/tokens/{customerToken}/status", {
    params,
    body: { status: "CANCELLED" },
  });
  const after = await kustom.GET("/customer-token/v1/tokens/{customerToken}", { params });
  // A cancelled token refuses orders: the error's code, typed by the generator.
  const refused = await kustom.POST("/customer-token/v1/tokens/{customerToken}/order", {
    params,
    body: ORDER,
  });
  report({
    order: created.response.status,
    order_id: created.data?.order_id,
    read: read.response.status,
    read_status: read.data?.status,
    cancel: cancelled.response.status,
    after_status: after.data?.status,
    refused: refused.response.status,
    refused_code: refused.error?.error_code,
  });
}

void main();
