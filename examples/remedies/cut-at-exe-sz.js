// JScript under cscript: reads ImagePath, keeps it up to the first ".exe"
// and writes it back as REG_SZ (WshShell.RegWrite takes a type name and
// RegRead does not tell the old one): a REG_EXPAND_SZ value changes type.
var shell = new ActiveXObject("WScript.Shell");
var key = "HKLM\\SYSTEM\\CurrentControlSet\\Services\\MSExchangeKMS\\ImagePath";
var value = shell.RegRead(key);
var end = value.toLowerCase().indexOf(".exe");
if (end >= 0)
    shell.RegWrite(key, value.substr(0, end + 4), "REG_SZ");
