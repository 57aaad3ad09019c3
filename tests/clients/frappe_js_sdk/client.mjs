// The third-party frappe-js-sdk (npm) against a running gov_services site, unchanged:
//   cd tests/clients/frappe_js_sdk && npm install
//   node client.mjs http://127.0.0.1:8000 <username> <password> <api_key> <api_secret>
// Logs in with the password, then with the user's API token lists with filters, gets, counts, creates and
// updates a work order and uploads a PDF to it. Exits non-zero on the first failure.
import { FrappeApp } from "frappe-js-sdk";

const [url, username, password, apiKey, apiSecret] = process.argv.slice(2);
if (!apiSecret) {
  console.error("usage: node client.mjs URL USERNAME PASSWORD API_KEY API_SECRET");
  process.exit(2);
}
const show = (what, value) => console.log(`${what}:`, JSON.stringify(value));

const session = new FrappeApp(url);
show("login (password)", await session.auth().loginWithUsernamePassword({ username, password }));

const app = new FrappeApp(url, { useToken: true, token: () => `${apiKey}:${apiSecret}`, type: "token" });
show("logged-in user (token)", await app.auth().getLoggedInUser());

const db = app.db();
const list = await db.getDocList("Application", {
  fields: ["name", "applicant_name", "status", "submitted_at"],
  filters: [["status", "in", ["accepted", "under_review"]]],
  orderBy: { field: "submitted_at", order: "desc" },
  limit: 3,
});
show("list Application (status in accepted/under_review, newest 3)", list);
const one = await db.getDoc("Application", list[0].name);
show("get Application", { name: one.name, status: one.status, id_number: one.id_number, materials: one.materials.length });
show("count Application under review", await db.getCount("Application", [["status", "=", "under_review"]]));

const created = await db.createDoc("Work Order", {
  order_type: "consultation",
  source: "online",
  subject: "通过 frappe-js-sdk 提交的咨询",
  content: "营业执照变更需要多长时间？",
  applicant_name: "市民乙",
  phone: "13900000001",
  received_at: new Date().toISOString().slice(0, 19).replace("T", " "),
});
show("create Work Order", { name: created.name, status: created.status, owner: created.owner });
const updated = await db.updateDoc("Work Order", created.name, { subject: "（已补充）通过 frappe-js-sdk 提交的咨询" });
show("update Work Order", { name: updated.name, subject: updated.subject });

const pdf = new File([Buffer.from("%PDF-1.4\n% reply to the consultation\n")], "答复.pdf", { type: "application/pdf" });
const uploaded = await app.file().uploadFile(pdf, {
  isPrivate: true,
  doctype: "Work Order",
  docname: created.name,
  fieldname: "result_file",
});
show("upload_file", uploaded.data.message);
const after = await db.getDoc("Work Order", created.name);
show("Work Order result_file after upload", after.result_file);
