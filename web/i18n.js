// Every string a user reads, in Vietnamese (first) and English. Errors are
// worded here from the API's stable codes, so no server English reaches a
// Vietnamese page. t("key", {n: 3}) fills {n}.
const vi = {
  "app.title": "kho — Thư viện số", "skip": "Bỏ qua, đến nội dung",
  "nav.search": "Tìm kiếm", "nav.browse": "Duyệt", "nav.upload": "Tải lên", "nav.audit": "Nhật ký",
  "lang.switch": "English", "signin": "Đăng nhập", "signout": "Đăng xuất", "signed_in": "Đã đăng nhập: {name}",
  "login.title": "Đăng nhập", "login.name": "Tên đăng nhập", "login.password": "Mật khẩu",
  "login.failed": "Sai tên đăng nhập hoặc mật khẩu.", "login.locked": "Đăng nhập sai quá nhiều lần; hãy thử lại sau ít phút.",
  "search.label": "Tìm sách, giáo án, văn bản", "search.placeholder": "Tìm sách, giáo án, văn bản… (vd: tot nghiep THCS, 44/KH-PGDĐT)",
  "search.button": "Tìm kiếm", "search.sort": "Sắp xếp", "sort.relevance": "Phù hợp nhất", "sort.newest": "Mới nhất",
  "sort.oldest": "Cũ nhất", "sort.title": "Theo nhan đề", "search.running": "Đang tìm…",
  "search.count": "{n} kết quả", "search.count_about": "khoảng {n} kết quả", "search.page": "Trang {n}",
  "search.none": "Không có kết quả.", "search.failed": "Không tìm được: {reason}", "search.did_you_mean": "Có phải bạn muốn tìm:",
  "search.pages": "Xem {n} trang khớp", "search.pages_failed": "Không tải được các trang: {reason}",
  "browse.title": "Tài liệu mới nhất", "browse.by_kind": "Theo loại:", "prev": "← Trang trước", "next": "Trang sau →",
  "page": "Trang {n}", "facets": "Lọc kết quả",
  "facet.kind": "Loại tài liệu", "facet.doctype": "Loại văn bản", "facet.subject": "Môn học", "facet.grade": "Khối lớp",
  "facet.year": "Năm", "facet.school": "Trường", "facet.language": "Ngôn ngữ", "facet.collection": "Bộ sưu tập",
  "kind.book": "Sách", "kind.diploma": "Văn bằng", "kind.lesson-plan": "Kế hoạch bài dạy", "kind.admin-doc": "Văn bản hành chính", "kind.other": "Khác",
  "value.unspecified": "Chưa xác định", "lang.vi": "Tiếng Việt", "lang.en": "Tiếng Anh", "lang.fr": "Tiếng Pháp", "lang.zh": "Tiếng Trung",
  "grade.n": "Khối {n}",
  "vis.private": "Riêng tư", "vis.school": "Trong trường", "vis.shared": "Chia sẻ giữa các trường", "vis.public": "Công khai",
  "status.active": "Đang dùng", "status.withdrawn": "Đã thu hồi",
  "field.title": "Nhan đề", "field.creator": "Tác giả", "field.subject": "Chủ đề / Môn học", "field.description": "Mô tả",
  "field.date": "Ngày", "field.year": "Năm", "field.language": "Ngôn ngữ", "field.publisher": "Nhà xuất bản",
  "field.call_number": "Ký hiệu xếp giá", "field.isbn": "ISBN", "field.grade": "Khối lớp", "field.teacher": "Giáo viên",
  "field.number": "Số ký hiệu", "field.issuer": "Cơ quan ban hành", "field.doctype": "Loại văn bản", "field.school": "Trường",
  "field.kind": "Loại tài liệu", "field.visibility": "Phạm vi xem", "field.collection": "Bộ sưu tập", "field.status": "Trạng thái",
  "field.pages": "Số trang", "field.file": "Tệp", "field.created": "Ngày thêm", "field.updated": "Cập nhật lần cuối",
  "field.signer": "Người ký", "field.doc_type": "Loại văn bản", "field.issued": "Ngày ban hành", "field.place": "Nơi ban hành",
  "field.keywords": "Từ khoá", "field.recipients": "Nơi nhận", "pages.n": "{n} trang", "field.type": "Dạng", "field.format": "Định dạng", "field.identifier": "Mã định danh",
  "source.extracted": "trích từ tệp", "source.sidecar": "tệp kèm", "source.catalogue": "biên mục", "source.typed": "nhập tay",
  "source.harvested": "thu thập", "source.ocr": "nhận dạng chữ",
  "record.loading": "Đang tải…", "record.fields": "Thông tin", "record.matches": "Các trang khớp với “{q}”",
  "record.no_matches": "Không trang nào khớp.", "record.ocr": "Độ tin cậy nhận dạng chữ (OCR)",
  "record.history": "Lịch sử thay đổi", "record.no_history": "Chưa có thay đổi.", "record.download": "Tải về",
  "record.edit": "Sửa thông tin", "record.withdraw": "Thu hồi", "record.reinstate": "Khôi phục", "record.share": "Chia sẻ",
  "record.withdrawn": "Tài liệu đã bị thu hồi: {reason}", "record.no_file": "Bản ghi này không có tệp đính kèm.",
  "op.create": "Tạo", "op.update": "Sửa", "op.withdraw": "Thu hồi", "op.reinstate": "Khôi phục",
  "viewer.prev": "Trang trước", "viewer.next": "Trang sau", "viewer.page": "Trang", "viewer.of": "/ {n}",
  "viewer.loading": "Đang mở tệp…", "viewer.failed": "Không mở được tệp trong trình xem: {reason}",
  "viewer.none": "Chưa xem trước được loại tệp này trong trình duyệt; hãy tải về.",
  "edit.title": "Sửa thông tin", "edit.save": "Lưu", "edit.cancel": "Huỷ", "edit.saved": "Đã lưu.",
  "edit.date_hint": "vd: 25/06/2023", "edit.bad_date": "Ngày không đúng: hãy viết ngày/tháng/năm, vd 25/06/2023.",
  "edit.bad_grade": "Khối lớp là một số từ 1 đến 12.", "edit.nothing": "Không có gì thay đổi.",
  "reason.label": "Lý do", "reason.withdraw": "Lý do thu hồi", "reason.reinstate": "Lý do khôi phục", "reason.required": "Hãy ghi lý do.",
  "share.title": "Đường dẫn chia sẻ", "share.days": "Hết hạn sau (ngày)", "share.make": "Tạo đường dẫn", "share.revoke": "Thu hồi đường dẫn",
  "share.made": "Đã tạo đường dẫn; gửi cho người nhận:", "share.copy": "Sao chép", "share.copied": "Đã sao chép.",
  "share.expires": "hết hạn {date}", "share.never": "không hết hạn", "share.none": "Chưa có đường dẫn nào.",
  "share.heading": "Tài liệu được chia sẻ với bạn", "share.collection": "Bộ sưu tập được chia sẻ với bạn",
  "upload.title": "Tải tài liệu lên", "upload.drop": "Kéo thả tệp hoặc thư mục vào đây", "upload.or": "hoặc",
  "upload.files": "Chọn tệp", "upload.folder": "Chọn thư mục", "upload.start": "Tải lên", "upload.meta": "Thông tin chung cho các tệp",
  "upload.queued": "Chờ tải", "upload.sending": "Đang gửi {pct}%", "upload.importing": "Đang đọc tệp…",
  "upload.added": "Đã thêm", "upload.duplicate": "Đã có trong thư viện (trùng nội dung)", "upload.failed": "Không thêm được: {reason}",
  "upload.archive": "Gói tệp: {imported} tệp thêm mới, {duplicates} trùng, {failed} lỗi",
  "upload.limits": "Mỗi tệp tối đa 4 GB; tệp lớn được gửi thành từng phần và tự tiếp tục nếu mạng ngắt.",
  "upload.need_signin": "Hãy đăng nhập để tải tài liệu lên.", "upload.none": "Chưa chọn tệp nào.",
  "audit.title": "Nhật ký truy cập và thay đổi", "audit.at": "Thời điểm", "audit.actor": "Người", "audit.from": "Từ địa chỉ",
  "audit.action": "Việc", "audit.record": "Bản ghi", "audit.detail": "Chi tiết", "audit.more": "Xem thêm",
  "audit.filter": "Lọc", "audit.date": "Ngày (yyyy-mm-dd)", "audit.empty": "Không có mục nào.",
  "denied.signin": "Hãy đăng nhập để dùng chức năng này.",
  "err.network": "không kết nối được máy chủ", "err.unknown": "có lỗi xảy ra ({code})",
  "err.bad_request": "yêu cầu không hợp lệ", "err.bad_parameter": "giá trị không hợp lệ: {field}", "err.not_found": "không tìm thấy",
  "err.record_not_found": "không tìm thấy tài liệu", "err.no_file": "tài liệu này không có tệp", "err.conflict": "xung đột với dữ liệu đã có",
  "err.too_large": "tệp hoặc yêu cầu quá lớn", "err.forbidden": "bạn không có quyền làm việc này", "err.unauthorized": "hãy đăng nhập",
  "err.too_many_requests": "thử sai quá nhiều lần; hãy đợi ít phút", "err.busy": "máy chủ đang bận; hãy thử lại sau",
  "err.internal": "lỗi máy chủ", "err.query_empty": "hãy gõ từ cần tìm", "err.query_no_words": "câu tìm không có từ nào để tìm",
  "err.query_too_long": "câu tìm quá dài", "err.query_too_many_words": "câu tìm có quá nhiều từ",
  "err.invalid_field": "giá trị của «{field}» không hợp lệ", "err.reason_required": "hãy ghi lý do", "err.bad_json": "dữ liệu gửi lên không đúng dạng",
  "err.share_expired": "đường dẫn chia sẻ đã hết hạn", "err.share_not_found": "đường dẫn chia sẻ không còn hiệu lực",
  "err.origin_unavailable": "thư viện gốc của tài liệu không trả lời", "err.range_not_satisfiable": "phần tệp yêu cầu không có",
  "err.unsupported_media_type": "loại dữ liệu không được hỗ trợ", "err.damaged": "tệp đã bị hỏng trên máy chủ; hãy báo quản trị",
  "err.unsupported": "không đọc được loại tệp này", "err.corrupt": "tệp bị hỏng hoặc không đọc được",
};

const en = {
  "app.title": "kho — Digital library", "skip": "Skip to content",
  "nav.search": "Search", "nav.browse": "Browse", "nav.upload": "Upload", "nav.audit": "Audit log",
  "lang.switch": "Tiếng Việt", "signin": "Sign in", "signout": "Sign out", "signed_in": "Signed in: {name}",
  "login.title": "Sign in", "login.name": "User name", "login.password": "Password",
  "login.failed": "Wrong user name or password.", "login.locked": "Too many failed sign-ins; try again in a few minutes.",
  "search.label": "Search books, lesson plans, documents", "search.placeholder": "Search books, lesson plans, documents… (e.g. tot nghiep THCS, 44/KH-PGDĐT)",
  "search.button": "Search", "search.sort": "Sort", "sort.relevance": "Best match", "sort.newest": "Newest",
  "sort.oldest": "Oldest", "sort.title": "By title", "search.running": "Searching…",
  "search.count": "{n} results", "search.count_about": "about {n} results", "search.page": "Page {n}",
  "search.none": "No results.", "search.failed": "Search failed: {reason}", "search.did_you_mean": "Did you mean:",
  "search.pages": "Show {n} matching pages", "search.pages_failed": "Could not load the pages: {reason}",
  "browse.title": "Newest documents", "browse.by_kind": "By kind:", "prev": "← Previous", "next": "Next →",
  "page": "Page {n}", "facets": "Filter results",
  "facet.kind": "Kind", "facet.doctype": "Document type", "facet.subject": "Subject", "facet.grade": "Grade",
  "facet.year": "Year", "facet.school": "School", "facet.language": "Language", "facet.collection": "Collection",
  "kind.book": "Book", "kind.diploma": "Diploma", "kind.lesson-plan": "Lesson plan", "kind.admin-doc": "Administrative document", "kind.other": "Other",
  "value.unspecified": "Unspecified", "lang.vi": "Vietnamese", "lang.en": "English", "lang.fr": "French", "lang.zh": "Chinese",
  "grade.n": "Grade {n}",
  "vis.private": "Private", "vis.school": "Within the school", "vis.shared": "Shared between schools", "vis.public": "Public",
  "status.active": "Active", "status.withdrawn": "Withdrawn",
  "field.title": "Title", "field.creator": "Author", "field.subject": "Subject", "field.description": "Description",
  "field.date": "Date", "field.year": "Year", "field.language": "Language", "field.publisher": "Publisher",
  "field.call_number": "Call number", "field.isbn": "ISBN", "field.grade": "Grade", "field.teacher": "Teacher",
  "field.number": "Number", "field.issuer": "Issued by", "field.doctype": "Document type", "field.school": "School",
  "field.kind": "Kind", "field.visibility": "Visible to", "field.collection": "Collection", "field.status": "Status",
  "field.pages": "Pages", "field.file": "File", "field.created": "Added", "field.updated": "Last changed",
  "field.signer": "Signed by", "field.doc_type": "Document type", "field.issued": "Issued on", "field.place": "Place of issue",
  "field.keywords": "Keywords", "field.recipients": "Recipients", "pages.n": "{n} pages", "field.type": "Type", "field.format": "Format", "field.identifier": "Identifier",
  "source.extracted": "from the file", "source.sidecar": "sidecar file", "source.catalogue": "catalogue", "source.typed": "typed",
  "source.harvested": "harvested", "source.ocr": "OCR",
  "record.loading": "Loading…", "record.fields": "Details", "record.matches": "Pages matching “{q}”",
  "record.no_matches": "No page matches.", "record.ocr": "OCR confidence",
  "record.history": "History", "record.no_history": "No changes yet.", "record.download": "Download",
  "record.edit": "Edit details", "record.withdraw": "Withdraw", "record.reinstate": "Reinstate", "record.share": "Share",
  "record.withdrawn": "This document was withdrawn: {reason}", "record.no_file": "This record has no file.",
  "op.create": "Created", "op.update": "Changed", "op.withdraw": "Withdrawn", "op.reinstate": "Reinstated",
  "viewer.prev": "Previous page", "viewer.next": "Next page", "viewer.page": "Page", "viewer.of": "of {n}",
  "viewer.loading": "Opening the file…", "viewer.failed": "The viewer could not open the file: {reason}",
  "viewer.none": "This kind of file cannot be previewed in the browser; download it.",
  "edit.title": "Edit details", "edit.save": "Save", "edit.cancel": "Cancel", "edit.saved": "Saved.",
  "edit.date_hint": "e.g. 25/06/2023", "edit.bad_date": "Not a date: write day/month/year, e.g. 25/06/2023.",
  "edit.bad_grade": "A grade is a number from 1 to 12.", "edit.nothing": "Nothing changed.",
  "reason.label": "Reason", "reason.withdraw": "Why it is withdrawn", "reason.reinstate": "Why it is reinstated", "reason.required": "Give a reason.",
  "share.title": "Share links", "share.days": "Expires after (days)", "share.make": "Make a link", "share.revoke": "Revoke",
  "share.made": "Link made; send it to the recipient:", "share.copy": "Copy", "share.copied": "Copied.",
  "share.expires": "expires {date}", "share.never": "never expires", "share.none": "No links yet.",
  "share.heading": "A document shared with you", "share.collection": "A collection shared with you",
  "upload.title": "Upload documents", "upload.drop": "Drop files or folders here", "upload.or": "or",
  "upload.files": "Choose files", "upload.folder": "Choose a folder", "upload.start": "Upload", "upload.meta": "Details for all files",
  "upload.queued": "Waiting", "upload.sending": "Sending {pct}%", "upload.importing": "Reading the file…",
  "upload.added": "Added", "upload.duplicate": "Already in the library (same content)", "upload.failed": "Not added: {reason}",
  "upload.archive": "Archive: {imported} added, {duplicates} duplicates, {failed} failed",
  "upload.limits": "Up to 4 GB a file; large files go in parts and resume if the network drops.",
  "upload.need_signin": "Sign in to upload documents.", "upload.none": "No files chosen.",
  "audit.title": "Audit log", "audit.at": "When", "audit.actor": "Who", "audit.from": "From",
  "audit.action": "Action", "audit.record": "Record", "audit.detail": "Detail", "audit.more": "Show more",
  "audit.filter": "Filter", "audit.date": "Date (yyyy-mm-dd)", "audit.empty": "No entries.",
  "denied.signin": "Sign in to use this.",
  "err.network": "cannot reach the server", "err.unknown": "something went wrong ({code})",
  "err.bad_request": "the request is not valid", "err.bad_parameter": "not a valid value: {field}", "err.not_found": "not found",
  "err.record_not_found": "no such document", "err.no_file": "this document has no file", "err.conflict": "conflicts with existing data",
  "err.too_large": "the file or request is too large", "err.forbidden": "you may not do this", "err.unauthorized": "sign in first",
  "err.too_many_requests": "too many attempts; wait a few minutes", "err.busy": "the server is busy; try again later",
  "err.internal": "server error", "err.query_empty": "type something to search for", "err.query_no_words": "the query has no words to search for",
  "err.query_too_long": "the query is too long", "err.query_too_many_words": "the query has too many words",
  "err.invalid_field": "the value of “{field}” is not valid", "err.reason_required": "give a reason", "err.bad_json": "the data sent is malformed",
  "err.share_expired": "the share link has expired", "err.share_not_found": "the share link is no longer valid",
  "err.origin_unavailable": "the library this document comes from does not answer", "err.range_not_satisfiable": "no such part of the file",
  "err.unsupported_media_type": "unsupported kind of data", "err.damaged": "the file is damaged on the server; tell the administrator",
  "err.unsupported": "this kind of file cannot be read", "err.corrupt": "the file is damaged or unreadable",
};

const catalogues = { vi, en };
let current = localStorage.getItem("kho.lang") === "en" ? "en" : "vi";

export const lang = () => current;
export function setLang(code) {
  current = code === "en" ? "en" : "vi";
  localStorage.setItem("kho.lang", current);
  document.documentElement.lang = current;
}
export function has(key) { return key in catalogues[current]; }
export function t(key, vars = {}) {
  const text = catalogues[current][key] ?? vi[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (_, name) => (name in vars ? String(vars[name]) : ""));
}
// A facet or field value as users name it: kinds, languages, visibility.
export function valueName(facet, value) {
  if (value === "" || value === "unspecified") return t("value.unspecified");
  const key = facet === "kind" ? "kind." + value : facet === "language" ? "lang." + value.toLowerCase().split("-")[0]
    : facet === "visibility" ? "vis." + value : facet === "status" ? "status." + value
    : facet === "grade" && /^\d+$/.test(value) ? null : "";
  if (key === null) return t("grade.n", { n: value });
  return key && has(key) ? t(key) : value;
}
export function fieldName(field) { return has("field." + field) ? t("field." + field) : field; }
export const dateText = (iso) => (iso ? new Date(iso).toLocaleString(current === "vi" ? "vi-VN" : "en-GB") : "");
document.documentElement.lang = current;
