// A client generated from /openapi/v1.json (openapi-typescript → schema.d.ts, called through
// openapi-fetch), type-checked by tsc --strict in the OpenAPI document test. Each send is called the
// way a user's code would; the @ts-expect-error lines prove the types are real (not `any`): tsc fails
// when a call the API would refuse type-checks.
import createClient from "openapi-fetch";
import type { components, paths } from "./schema";

const client = createClient<paths>({
    baseUrl: "http://localhost:5080",
    headers: { Authorization: "Bearer mod_demo_key" },
});

type SentEmail = components["schemas"]["SentEmail"];

export async function sendFromChannel(): Promise<SentEmail | undefined> {
    const { data, error } = await client.POST("/v1/messaging/email", {
        params: { header: { "Idempotency-Key": "order-1001-shipped" }, query: { dry_run: false } },
        body: {
            from: "demo@modular.example.com",
            to: "Carol <carol@customer.example.com>",
            subject: "Your order",
            body: "<p>Shipped!</p>",
            cc: ["billing@customer.example.com"],
            schedule_at: "2030-01-01T09:00:00Z",
        },
    });
    if (error) {
        const reasons: string[] | undefined = error.errors?.["to"];
        console.log(error.status, error.title, error.detail, error.trace_id, reasons);
        return undefined;
    }
    // 201: the message; 200 (dry_run=true): the preview of the email.
    return data && "data" in data ? data.data : undefined;
}

export async function sendFromInbox(): Promise<number | undefined> {
    const { data } = await client.POST("/v1/email/send", {
        body: {
            creator_id: 6,
            inbox: 5,
            conv_title: "Welcome aboard",
            targets: ["to:carol@customer.example.com"],
            text: "<p>Welcome!</p>",
            raw_text: "Welcome!",
        },
    });
    if (data && "convo_id" in data) {
        const queued: boolean = data.queued;
        const leftOut: string | undefined = data.compliance_results["bob@example.com"];
        console.log(queued, leftOut);
        return data.convo_id;
    }
    return undefined;
}

export async function listOpenConversations(): Promise<number> {
    const { data } = await client.GET("/v1/conversations", { params: { query: { "status[]": ["open", "closed"], limit: 10 } } });
    return data?.total ?? 0;
}

export function refusedByTheCompiler(): void {
    // @ts-expect-error: inbox is a number, not a string
    void client.POST("/v1/email/send", { body: { creator_id: 6, inbox: "five", text: "Hi" } });
    // @ts-expect-error: to is a string, not a number
    void client.POST("/v1/messaging/email", { body: { from: "demo@modular.example.com", to: 42, body: "Hi" } });
    // @ts-expect-error: no such path
    void client.POST("/v1/email/sendd", { body: {} });
}
