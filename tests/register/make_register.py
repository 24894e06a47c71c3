#!/usr/bin/python3
"""Writes a register of diplomas as offices keep it, with openpyxl (a real
spreadsheet writer): a heading above the header row, Vietnamese headers in
their usual variants, names in any case, dates typed as dd/mm/yyyy and as
real date cells, and bad rows (a date that does not exist, a duplicate
serial, a missing name). Usage: make_register.py OUT.xlsx [OUT.csv]"""
import csv
import datetime
import sys

from openpyxl import Workbook

HEADER = ["STT", "HỌ VÀ TÊN", "Ngày tháng năm sinh", "Nơi sinh", "Giới tính", "Dân tộc",
          "Học sinh trường", "Xếp loại tốt nghiệp", "Số hiệu bằng", "Số vào sổ cấp bằng",
          "Ghi chú"]
ROWS = [
    [1, "NGUYỄN VĂN AN", "12/05/2008", "Hải Dương", "Nam", "Kinh", "THCS Cẩm Giàng",
     "Khá", "B 0123401", "CG-2023-001", ""],
    [2, "trần thị hương", datetime.date(2008, 3, 7), "Cẩm Giàng", "Nữ", "Kinh",
     "THCS Cẩm Giàng", "Giỏi", "B 0123402", "CG-2023-002", ""],
    [3, "Đặng Đình Hà", "01/01/2008", "Hải Dương", "nam", "Kinh", "THCS Cẩm Giàng",
     "Trung bình", "B 0123403", "CG-2023-003", ""],
    [4, "Lê Thị Bích", "31/02/2008", "Hải Dương", "Nữ", "Kinh", "THCS Cẩm Giàng",
     "Khá", "B 0123404", "CG-2023-004", "ngày sinh sai"],
    [5, "Phạm Văn Cường", "02/02/2008", "Hải Dương", "Nam", "Kinh", "THCS Cẩm Giàng",
     "Khá", "B 0123401", "CG-2023-005", "số hiệu trùng"],
    [6, "", "03/03/2008", "Hải Dương", "Nam", "Kinh", "THCS Cẩm Giàng", "Khá",
     "B 0123406", "CG-2023-006", "thiếu tên"],
    [7, "Hoàng Thuỳ Linh", "15/09/2008", "Hà Nội", "Nữ", "Tày", "THCS Cẩm Giàng",
     "Giỏi", "B 0123407", "CG-2023-007", ""],
]


def main():
    book = Workbook()
    sheet = book.active
    sheet.title = "Sổ gốc"
    sheet.append(["SỔ GỐC CẤP BẰNG TỐT NGHIỆP THCS NĂM 2023"])
    sheet.append(["Phòng GD&ĐT Cẩm Giàng"])
    sheet.append(HEADER)
    for row in ROWS:
        sheet.append(row)
        if isinstance(row[2], datetime.date):
            sheet.cell(row=sheet.max_row, column=3).number_format = "dd/mm/yyyy"
    book.save(sys.argv[1])
    if len(sys.argv) > 2:
        with open(sys.argv[2], "w", newline="", encoding="utf-8-sig") as out:
            writer = csv.writer(out, delimiter=";")
            writer.writerow(["Họ và tên", "Ngày sinh", "Số hiệu", "Vào sổ cấp bằng số", "Trường"])
            writer.writerow(["Vũ Minh Đức", "20/10/2008", "C 555", "CG-2023-100", "THCS Lương Điền"])
            writer.writerow(["Ngô Thị Ánh", "2008-11-30", "C 556", "CG-2023-101", "THCS Lương Điền"])


main()
