// @hey-api/openapi-ts's client, configured as its docs show: the default client, `setConfig`
// with `baseUrl` and `auth` (the SDK puts `auth` where the spec's security scheme says).
import { client } from "./hey-api/client.gen";
import { createOrder, patchCustomerToken, readCustomerToken } from "./hey-api/sdk.gen";
import { AUTHORIZATION, BASE_URL, ORDER, TOKEN, report } from "./scenario";

client.setConfig({ baseUrl: BASE_URL, auth: AUTHORIZATION });

async function main(): Promise<void> {
  const path = { customerToken: TOKEN };
  const created = await createOrder({ path, body: ORDER });
  const read = await readCustomerToken({ path });
  const cancelled = await patchCustomerToken({ path, body: { status: "CANCELLED" } });
  const after = await readCustomerToken({ path });
  // A cancelled token refuses orders: the error's code, typed by the generator.
  const refused = await createOrder({ path, body: ORDER });
  report({
    order: created.response?.status,
    order_id: created.data?.order_id,
    read: read.response?.status,
    read_status: read.data?.status,
    cancel: cancelled.response?.status,
    after_status: after.data?.status,
    refused: refused.response?.status,
    refused_code: refused.error?.error_code,
  });
}

void main();
